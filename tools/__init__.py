"""Authoring tools: generate exercises, execute notebooks, build the course map, benchmark."""

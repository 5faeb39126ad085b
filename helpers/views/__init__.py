"""The pure view functions behind each lesson's explorers, one module per lesson.

A view takes the control values as keyword arguments and returns
``(figure, summary)``; :func:`helpers.explorers.explorer` turns it into a widget.
"""

"""JupyterLab save hook: a notebook opened and saved unchanged stays byte-for-byte the same.

When a kernel starts, JupyterLab copies the kernel's ``language_info`` into the open
notebook, Python version included (``"version": "3.11.7"``), which marks it modified, and
autosave writes it back: merely opening a lesson showed it as changed in ``git status``
(measured with ``tests/browser/test_lab_stored.py``: that one key was the whole difference).
The stored notebooks carry no version, since learners run different Pythons
(``tools/nbio.py``); ``make lab`` starts JupyterLab with this hook
(``--ContentsManager.pre_save_hook=helpers.savehook.drop_python_version``), which removes
it again before every save, so an unchanged notebook is written exactly as stored.

>>> model = {"type": "notebook", "content": {"metadata": {"language_info": {
...     "name": "python", "version": "3.12.1"}}}}
>>> drop_python_version(model=model, path="notebooks/00.ipynb", contents_manager=None)
>>> model["content"]["metadata"]["language_info"]
{'name': 'python'}
"""

from __future__ import annotations

from typing import Any

__all__ = ["drop_python_version"]


def drop_python_version(model: dict[str, Any], **_context: Any) -> None:
    """Remove the Python version from a notebook's ``language_info`` (in place)."""
    if not isinstance(model, dict):
        raise TypeError(f"model must be a dict (Jupyter's contents model), got "
                        f"{type(model).__name__}")
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    language = model["content"].get("metadata", {}).get("language_info")
    if isinstance(language, dict) and language.get("name") == "python":
        language.pop("version", None)

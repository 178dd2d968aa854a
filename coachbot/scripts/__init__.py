"""The sales scripts and playbooks as data files (one folder per locale), with their loader.

`load_library()` reads and validates every file at start-up and returns a ScriptLibrary; any
problem raises ScriptError naming the file and line. Trainers edit the YAML, not the code.
"""

from coachbot.scripts.loader import SCRIPTS_ROOT, load_library
from coachbot.scripts.model import LocaleScripts, ScriptLibrary
from coachbot.scripts.nodes import ScriptError

__all__ = ["SCRIPTS_ROOT", "LocaleScripts", "ScriptError", "ScriptLibrary", "load_library"]

"""fixenc: repair broken Chinese text encoding (mojibake), safely, with calibrated confidence.

>>> import fixenc
>>> fixenc.fix("鎴戜滑鏄庡ぉ瑙侊紒")          # UTF-8 bytes of 我们明天见！ read as GBK
'我们明天见！'
"""

from __future__ import annotations

from fixenc.config import FixConfig
from fixenc.gate import detect_script
from fixenc.repair import fix, repair, repair_lines
from fixenc.results import Fix, Repair, Step
from fixenc.steps import apply_steps

__version__ = "0.1.0"

__all__ = (
    "FixConfig",
    "Fix",
    "Repair",
    "Step",
    "__version__",
    "apply_steps",
    "detect_script",
    "fix",
    "repair",
    "repair_lines",
)

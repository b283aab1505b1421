"""fixenc: repair broken Chinese text encoding (mojibake), safely, with calibrated confidence.

>>> import fixenc
>>> fixenc.fix("鎴戜滑鏄庡ぉ瑙侊紒")          # UTF-8 bytes of 我们明天见！ read as GBK
'我们明天见！'
>>> r = fixenc.repair_bytes("我们明天见！".encode("gbk"))   # bytes: the encoding is guessed
>>> r.text, r.encoding
('我们明天见！', 'gb18030')
"""

from __future__ import annotations

from fixenc.bytes_in import repair_bytes
from fixenc.config import FixConfig
from fixenc.detect import detect_encoding
from fixenc.gate import detect_script
from fixenc.repair import fix, repair, repair_lines
from fixenc.results import Detection, Fix, LineEncoding, Repair, Step
from fixenc.steps import apply_steps

__version__ = "0.1.0"

__all__ = (
    "Detection",
    "Fix",
    "FixConfig",
    "LineEncoding",
    "Repair",
    "Step",
    "__version__",
    "apply_steps",
    "detect_encoding",
    "detect_script",
    "fix",
    "repair",
    "repair_bytes",
    "repair_lines",
)

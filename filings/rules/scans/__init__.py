"""Sniffing of uploaded materials and automatic scan-quality checks (resolution, sharpness, four corners).

`results` holds what a check finds, `materials` each material's paper and resolution rule,
`document` where the paper lies and its corners and sharpness, `resolution` the dpi judgement, and
`upload` the entry point that sniffs, bounds and opens a file.
"""

from filings.rules.scans.results import FAIL, PASS, WARNING, ScanCheck, ScanResult, UploadRejected, say
from filings.rules.scans.upload import DEFAULT_MAX_BYTES, MAX_DECODED_BYTES, MAX_PIXELS, MB, inspect_upload

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FAIL",
    "MAX_DECODED_BYTES",
    "MAX_PIXELS",
    "MB",
    "PASS",
    "WARNING",
    "ScanCheck",
    "ScanResult",
    "UploadRejected",
    "inspect_upload",
    "say",
]

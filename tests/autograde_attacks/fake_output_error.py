"""Attack: raise the error a full disk or the file-size limit gives, without writing anything (expected:
runtime_error, not output_limit)."""

import errno


def build_model():
    raise OSError(errno.EFBIG, "File too large")

"""Attack (task i3d-inflate): forge arrays.npz as a zip bomb, a deflated member of 256 MiB of zeros (256 KiB on
disk) whose .npy header says so, and a member whose header claims a terabyte (expected: rejected, the checker reads
no more than its byte budget)."""

import io
import json
import os
import zipfile

import numpy as np


def _header(shape):
    b = io.BytesIO()
    np.lib.format.write_array_header_1_0(b, {"descr": "<f4", "fortran_order": False, "shape": shape})
    return b.getvalue()


def inflate(w2d, T):
    with zipfile.ZipFile("arrays.npz", "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("case0.npy", "w", force_zip64=True) as f:
            f.write(_header((1 << 26,)))
            zeros = bytes(1 << 20)
            for _ in range(256):
                f.write(zeros)
        zf.writestr("case1.npy", _header((1 << 38,)) + bytes(64))
    with open("status.json", "w") as f:
        json.dump({"phase": "exported"}, f)
    os._exit(0)

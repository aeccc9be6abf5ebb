"""Attack: read what /proc tells of the host (its memory, its load, its devices) to fingerprint the grading machine
or the other submissions' load (expected: the sandbox's own figures, nothing of the host's)."""


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError as e:
        return type(e).__name__


def build_model():
    mem = _read("/proc/meminfo").splitlines()[:3]
    print("MEM", " | ".join(" ".join(line.split()) for line in mem))
    print("LOAD", _read("/proc/loadavg").strip())
    print("VMSTAT", len(_read("/proc/vmstat")))
    print("DISKS", len(_read("/proc/diskstats")))

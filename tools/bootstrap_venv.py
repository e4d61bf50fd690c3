"""Create .venv with a working pip on a machine that has only python3.

Debian's python3 may lack ensurepip (package python3-venv): then the virtual environment is
made without pip, and pip is installed into it from its wheel on PyPI (the only host we use).
"""

import json
import subprocess
import sys
import urllib.request
import venv
from pathlib import Path

VENV = Path(sys.argv[1] if len(sys.argv) > 1 else ".venv")
PYTHON = VENV / "bin" / "python"


def has_pip():
    return PYTHON.exists() and subprocess.run([PYTHON, "-m", "pip", "--version"], capture_output=True).returncode == 0


def install_pip_from_pypi():
    with urllib.request.urlopen("https://pypi.org/pypi/pip/json", timeout=60) as response:
        release = json.load(response)
    wheel = next(file for file in release["urls"] if file["packagetype"] == "bdist_wheel")
    target = VENV / wheel["filename"]
    urllib.request.urlretrieve(wheel["url"], target)
    # A pip wheel can run itself: python pip.whl/pip install pip.whl
    subprocess.run([PYTHON, f"{target}/pip", "install", "--quiet", str(target)], check=True)
    target.unlink()


def main():
    if has_pip():
        return
    try:
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    except subprocess.CalledProcessError:
        venv.EnvBuilder(with_pip=False, clear=True).create(VENV)
    if not has_pip():
        install_pip_from_pypi()


if __name__ == "__main__":
    main()

"""A stand-in for pip's get-pip.py bootstrap script, for ansible-test.

ansible-test creates its virtual environments without pip and fetches
get-pip.py from ci-files.testing.ansible.com, which a machine that reaches
only package registries cannot. It looks in ~/.ansible/test/cache first;
this script, saved there under the name it asks for, installs the pip that
ships with Python (ensurepip) and then, from PyPI, the packages asked for.

ansible-test also runs pip with a bare environment (no REQUESTS_CA_BUNDLE):
where the system has a CA bundle, the virtual environment gets a
sitecustomize that points pip's requests at it when nothing else does, so
pip trusts what the system trusts (a registry proxy's certificate
included), as it does outside ansible-test.
"""

import ensurepip
import os
import runpy
import sys

SYSTEM_CA = "/etc/ssl/certs/ca-certificates.crt"  # Debian's bundle

if os.path.exists(SYSTEM_CA):
    os.environ.setdefault("REQUESTS_CA_BUNDLE", SYSTEM_CA)
    version = "python{}.{}".format(*sys.version_info[:2])
    site = os.path.join(sys.prefix, "lib", version, "site-packages")
    with open(os.path.join(site, "sitecustomize.py"), "w") as custom:
        custom.write(f"import os\nos.environ.setdefault('REQUESTS_CA_BUNDLE', {SYSTEM_CA!r})\n")
ensurepip.bootstrap(upgrade=True)
# get-pip.py's own options, which pip itself does not take
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
sys.argv = ["pip", "install", *args]
runpy.run_module("pip", run_name="__main__", alter_sys=True)

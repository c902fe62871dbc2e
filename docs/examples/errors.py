"""Bad input: a virtnetlib.Error that says which line, which element, what was expected."""

import virtnetlib as vnl

try:
    vnl.Network.from_xml("<network>\n  <name>lab</name>\n  <bridge stp='maybe'/>\n</network>")
except vnl.Error as err:
    print(err)
    print(err.line, err.path)

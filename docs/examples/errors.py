"""Bad input: a virtnetlib.ParseError that says which line, which element, what was expected."""

import virtnetlib as vnl

try:
    vnl.Network.from_xml("<network>\n  <name>lab</name>\n  <bridge stp='maybe'/>\n</network>")
except vnl.ParseError as err:  # a virtnetlib.Error
    print(err)
    print(err.line, err.path)

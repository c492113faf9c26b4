"""CI check: parindex's XLSForm export converts with pyxform, the reference XLSForm-to-XForm
converter that ODK and KoboToolbox use, without warnings. Usage: xlsform_check.py FILE.xlsx"""
import sys

from pyxform.xls2xform import convert

result = convert(xlsform=sys.argv[1], validate=False)
if result.warnings:
    sys.exit(f"pyxform warnings: {result.warnings}")
if "<h:title>" not in result.xform or "select1" not in result.xform:
    sys.exit("pyxform produced an unexpected XForm")
print(f"{sys.argv[1]}: pyxform converts it without warnings ({len(result.xform)} bytes of XForm)")

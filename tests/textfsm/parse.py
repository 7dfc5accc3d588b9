"""Parses CLI output read on standard input with a TextFSM template (an
ntc-templates one, as netmiko's use_textfsm=True does) and prints the
records as a JSON list of objects, value names in lower case as in the
templates' test files.

Exits 2 when the template rejects the input (a TextFSM state error), with
the error on standard error.

usage: parse.py TEMPLATE_FILE
"""
import json
import sys

import textfsm


def main():
    text = sys.stdin.read()
    with open(sys.argv[1]) as f:
        fsm = textfsm.TextFSM(f)
    try:
        rows = fsm.ParseText(text)
    except textfsm.TextFSMError as e:
        print(e, file=sys.stderr)
        sys.exit(2)
    keys = [h.lower() for h in fsm.header]
    print(json.dumps([dict(zip(keys, r)) for r in rows]))


main()

"""Drive mxlab with Junos PyEZ (Debian python3-junos-eznc 2.1.7) on its NETCONF port.

    /usr/bin/python3 session.py PORT

Facts, the Config utility (lock, load set/text/xml, pdiff, commit_check,
commit, rollback, unlock), cli and an RPC. It prints one line per check and
exits 1 when one fails.
"""

import io
import sys
from contextlib import redirect_stdout

from jnpr.junos import Device
from jnpr.junos.utils.config import Config


def main():
    port = int(sys.argv[1])
    failed = []

    def check(name, ok, text=""):
        print("%s %s" % ("ok  " if ok else "FAIL", name))
        if not ok:
            print(text)
            failed.append(name)

    dev = Device(host="127.0.0.1", port=port, user="lab", password="lab123")
    dev.open()
    f = dev.facts
    check("facts hostname", f["hostname"] == "r1", f)
    check("facts model", f["model"] == "MX480", f["model"])
    check("facts version", f["version"] == "24.4R1.9" and f["version_info"].major == (24, 4), f["version"])
    check("facts personality", f["personality"] == "MX" and f["virtual"] is False, f)
    check("facts RE0", f["RE0"] is not None and f["RE0"]["mastership_state"] == "master"
          and f["RE0"]["status"] == "OK" and f["master"] == "RE0", f["RE0"])
    check("facts 2RE", f["2RE"] is True, f["2RE"])
    check("facts serial number", (f["serialnumber"] or "").startswith("JN"), f["serialnumber"])
    check("facts HOME", f["HOME"] == "/var/home/lab", f["HOME"])
    check("facts switch_style", f["switch_style"] == "NONE", f["switch_style"])
    check("facts current_re", f["current_re"] == ["re0", "master", "node", "fwdd", "member", "pfem"], f["current_re"])

    cu = Config(dev)
    cu.lock()
    cu.load("set interfaces ge-1/0/0 description pyez-set", format="set")
    out = io.StringIO()
    with redirect_stdout(out):
        cu.pdiff()
    check("pdiff", "+          description pyez-set;" in out.getvalue(), out.getvalue())
    check("commit_check", cu.commit_check() is True)
    check("commit", cu.commit(comment="pyez") is True)
    cu.load("interfaces { ge-1/0/0 { description pyez-text; } }", format="text")
    check("load text", "pyez-text" in (cu.diff() or ""), cu.diff())
    cu.load("<configuration><interfaces><interface><name>ge-1/0/0</name>"
            "<description>pyez-xml</description></interface></interfaces></configuration>", format="xml")
    check("load xml", "pyez-xml" in (cu.diff() or ""), cu.diff())
    cu.rollback()
    check("rollback", cu.diff() is None, cu.diff())
    cu.unlock()

    text = dev.cli("show configuration interfaces ge-1/0/0", warning=False)
    check("cli", "description pyez-set;" in text, text)
    rsp = dev.rpc.get_interface_information(terse=True)
    names = [e.text.strip() for e in rsp.findall(".//physical-interface/name")]
    check("get_interface_information terse", rsp.tag == "interface-information" and "ge-1/0/0" in names, names)
    text = dev.rpc.get_config(options={"database": "committed", "format": "text"}).text or ""
    check("get_config text", "description pyez-set;" in text, text)
    xml = dev.rpc.get_config(filter_xml="<interfaces><interface><name>ge-1/0/0</name></interface></interfaces>",
                             options={"database": "committed"})
    check("get_config filter", xml.findtext("interfaces/interface/description") == "pyez-set",
          xml.findtext("interfaces/interface/description"))
    dev.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

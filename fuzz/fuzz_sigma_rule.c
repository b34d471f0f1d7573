/*
 * fuzz_sigma_rule.c — libFuzzer target: the input is a Sigma YAML file
 * (rules, correlations, filters); it is loaded, compiled and matched against
 * fixed events, both routed by Channel/EventID and by a logsource hint, with
 * timestamps so correlations run.  The compiled set is also written to a
 * compiled-rules file and read back (sigma_cache.c): the copy must find the
 * same detections.  Must never crash, leak or hang.
 *
 *   make fuzz && mkdir -p /tmp/sr && build-fuzz/fuzz_sigma_rule /tmp/sr fuzz/corpus/sigma_rule
 *   (the first folder receives new inputs; the seed corpus stays as written)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spoor.h"
#include "sigma/sigma_event.h"

static int on_det(void *user, const sp_detection *d)
{
    (void)d;
    ++*(int *)user;
    return 0;
}

static const char *const ev_sysmon[] = {
    "Channel", "Microsoft-Windows-Sysmon/Operational", "EventID", "1", "Provider_Name", "Microsoft-Windows-Sysmon",
    "Image", "C:\\Windows\\System32\\cmd.exe", "CommandLine", "cmd.exe /c whoami -all \xe2\x80\x93x",
    "ParentImage", "C:\\Windows\\explorer.exe", "User", "CORP\\adm_bob", "DestinationIp", "2001:db8::7",
    "SourceIp", "10.1.2.3", "UtcTime", "2024-05-06 03:04:05.678", "Hashes", "SHA256=AB12", "Empty", "",
    "Null", NULL, "Count", "42", "Data", "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA",
};
static const char *const ev_security[] = {
    "Channel", "Security", "EventID", "4688", "NewProcessName", "C:\\Temp\\evil.exe",
    "ParentProcessName", "C:\\Windows\\System32\\cmd.exe", "SubjectUserName", "bob", "CommandLine", "evil.exe -enc AAAA",
};

/* detections of the fixed events through a fresh scanner; -1 when no scanner */
static int run_events(const sp_ruleset *rs)
{
    sp_scanner *sc = NULL;
    int n = 0;
    if (sp_scanner_new(rs, &sc) != SP_OK) return -1;
    for (int round = 0; round < 3; round++) {
        sp_kv_event k1 = {ev_sysmon, sizeof ev_sysmon / sizeof *ev_sysmon / 2, 1, 1700000000000LL + round * 1000};
        sp_kv_event k2 = {ev_security, sizeof ev_security / sizeof *ev_security / 2, 1, 1700000000500LL + round * 1000};
        sp_event e;
        sp_event_from_kv(&e, &k1);
        sp_scanner_match_event(sc, &e, on_det, &n);
        sp_event_from_kv(&e, &k2);
        sp_scanner_match_event(sc, &e, on_det, &n);
        sp_event_from_kv(&e, &k1);
        e.product = "windows";
        e.category = "process_creation";
        sp_scanner_match_event(sc, &e, on_det, &n);
    }
    sp_scanner_flush(sc, on_det, &n);
    sp_scanner_free(sc);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sp_ruleset *rs = NULL, *copy = NULL;
    sp_error err;
    int n = 0;
    if (sp_ruleset_new(NULL, &rs, &err) != SP_OK) return 0;
    sp_ruleset_add_yaml(rs, "fuzz.yml", (const char *)data, size, &err);
    if (sp_ruleset_compile(rs, &err) != SP_OK) goto out;
    for (size_t i = 0; i < sp_ruleset_rejection_count(rs); i++) {
        sp_rule_rejection r;
        sp_ruleset_rejection(rs, i, &r);
        n += (int)strlen(r.reason) > 0;
    }
    int got = run_events(rs);
    char path[64];
    snprintf(path, sizeof path, "/tmp/spoor-fuzz-%ld.spc", (long)getpid());
    if (sp_ruleset_save(rs, path, &err) == SP_OK) {
        /* the original is freed first: a pointer the image kept to it would
         * be a use after free (ASan), not a silent success */
        size_t count = sp_ruleset_count(rs);
        sp_ruleset_free(rs);
        rs = NULL;
        if (sp_ruleset_load(path, NULL, &copy, &err) != SP_OK) abort();   /* what was just written must load */
        if (sp_ruleset_count(copy) != count || run_events(copy) != got) abort();
        unlink(path);
    }
    n += got;
out:
    sp_ruleset_free(copy);
    sp_ruleset_free(rs);
    (void)n;
    return 0;
}

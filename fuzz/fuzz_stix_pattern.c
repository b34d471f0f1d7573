/*
 * fuzz_stix_pattern.c — libFuzzer target: the input is a STIX pattern; it is
 * compiled, decomposed as the loader does, and evaluated against a fixed
 * set of observations (one by one and together).  Must never crash, leak or
 * hang.
 */
#include <stdint.h>
#include <string.h>

#include "spoor.h"
#include "intel/ioc_int.h"

static const sp_obs_value v1[] = {
    {"ipv4-addr:value", "175.45.176.27", 13},
    {"network-traffic:dst_port", "1357", 4},
    {"file:hashes.'SHA-1'", "46a934e7b42bfb0a2a9bcecade78f63375192924", 40},
    {"file:name", "acres.exe", 9},
    {"process:command_line", "cmd /K start c:\\windows\\temp\\acres.exe", 38},
};
static const sp_obs_value v2[] = {
    {"domain-name:value", "evil.example", 12},
    {"url:value", "http://15.207.207.64/inbox?action=inbox", 39},
    {"windows-registry-key:key", "HKLM\\SYSTEM\\X", 13},
    {"ipv6-addr:value", "2001:db8::1", 11},
    {"file:size", "1024", 4},
};

static int count(void *user, sp_ioc_type t, const char *v, size_t n)
{
    (void)t;
    (void)v;
    *(size_t *)user += n;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sp_stix_pattern *p;
    sp_error e;
    if (sp_stix_pattern_compile((const char *)data, size, &p, &e) != SP_OK) return 0;
    sp_observation o[3] = {{"a", 1000, 1000, 1, v1, 5}, {"b", 2000, 5000, 3, v2, 5}, {"c", INT64_MIN, INT64_MIN, 1, v1, 2}};
    int r = sp_stix_pattern_match(p, o, 1) + sp_stix_pattern_match(p, o + 1, 1) + sp_stix_pattern_match(p, o, 3);
    size_t n = 0;
    stix_pattern_simple(p, count, &n);
    (void)stix_pattern_unobservable(p);
    (void)sp_stix_pattern_single(p);
    (void)r;
    sp_stix_pattern_free(p);
    return 0;
}

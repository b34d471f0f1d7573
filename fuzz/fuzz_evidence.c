/*
 * fuzz_evidence.c — libFuzzer target for the attribution evidence reader
 * (spoor hunt --json findings and evidence files): the input is parsed into
 * an sp_evidence and, when it parses, assessed against a tiny ATT&CK set
 * (tests/unit/kb_util.h) with two profiles, and rendered as text and JSON.
 * Must never crash, leak or hang; a rejected input must say why; the
 * likelihoods must sum to 1.
 *
 *   make fuzz && bash fuzz/run.sh fuzz_evidence 60
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor.h"
#include "../tests/unit/kb_util.h"

static const char prof[] =
    "id: G0032\nname: Lazarus Group\ncluster: dprk\n"
    "countries:\n  - {value: KP, refs: [r1]}\n"
    "asns:\n  - {value: AS131279, refs: [r1]}\n"
    "motivation:\n  - {value: espionage, refs: [r1]}\n"
    "malware:\n  - {values: [GREASE2, Dtrack], refs: [r1]}\n"
    "sectors:\n  - {value: healthcare, refs: [r1]}\n"
    "regions:\n  - {value: india, refs: [r1]}\n"
    "infrastructure:\n  bare_ip_c2: {value: true, refs: [r1]}\n"
    "working_hours: {utc_offset: \"+09:00\", days: mon-fri, hours: \"09-18\", refs: [r1]}\n"
    "references:\n  r1: {url: https://example.org/r, title: R}\n";
static const char prof2[] =
    "id: spoor-crew\nname: Crew\ncluster: ecrime\n"
    "countries:\n  - {value: RU, refs: [r1]}\n"
    "motivation:\n  - {value: financial, refs: [r1]}\n"
    "techniques:\n  - {value: T1059.001, refs: [r1]}\n"
    "infrastructure:\n  bare_ip_c2: {value: false, refs: [r1]}\n"
    "references:\n  r1: {url: https://example.org/c, title: C}\n";

static sp_kb *kb;
static sp_attr *attr;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!kb) {
        sp_error err;
        if (sp_kb_new(&kb) || sp_kb_load_attack_mem(kb, kb_file, strlen(kb_file), "tiny", &err) ||
            sp_kb_add_profile_yaml(kb, "p.yml", prof, strlen(prof), &err) ||
            sp_kb_add_profile_yaml(kb, "c.yml", prof2, strlen(prof2), &err) || sp_kb_rejection_count(kb) ||
            sp_attr_new(kb, NULL, &attr, &err))
            abort();
        static const char *const tags[] = {"attack.t1059", "attack.s0002"};
        sp_attr_rule r = {"rule-1", "Mimikatz use", tags, 2};
        if (sp_attr_set_rules(attr, &r, 1)) abort();
    }
    sp_evidence *ev = NULL;
    if (sp_evidence_new(&ev)) abort();
    sp_error err;
    memset(&err, 0, sizeof err);
    sp_status s = sp_evidence_parse_json(ev, (const char *)data, size, "fuzz.json", &err);
    if (s != SP_OK) {
        if (!err.msg[0] && s == SP_ERR_FORMAT) abort();    /* a rejection says why */
        sp_evidence_free(ev);
        return 0;
    }
    sp_assessment *as = NULL;
    if (sp_attr_assess(attr, ev, &as) == SP_OK) {
        double sum = 0;
        for (size_t i = 0; i < sp_assessment_count(as); i++) sum += sp_assessment_at(as, i)->likelihood;
        if (!(fabs(sum - 1.0) < 1e-6)) abort();
        sp_buf *b = sp_buf_new();
        if (b) {
            sp_assessment_json(as, 2, b);
            sp_assessment_text(as, 0, b);
            sp_buf_free(b);
        }
        sp_assessment_free(as);
    }
    sp_evidence_free(ev);
    return 0;
}

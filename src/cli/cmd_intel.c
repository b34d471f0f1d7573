/* cmd_intel.c — `spoor intel <sub>`: the ATT&CK knowledge base and actor
 * profiles.  Subcommands are rows of the table in cmd_intel(); each loads
 * the knowledge base with intel_load() from the options they share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "base/buf.h"

static const char usage_intel[] =
    "usage: spoor intel <subcommand> [options]\n"
    "\n"
    "Threat intelligence: the MITRE ATT&CK knowledge base, spoor's actor\n"
    "profiles, IOC feeds and geo/ASN data.\n"
    "\n"
    "subcommands:\n"
    "  stats    counts: groups, campaigns, attributions, software, techniques,\n"
    "           tactics, relationships by type, profiles, ATT&CK version\n"
    "  lookup   what spoor knows of IPs, domains, URLs, hashes: geo, ASN,\n"
    "           special ranges, IOC hits and the actors they link to\n"
    "\n"
    "Run 'spoor intel <subcommand> --help' for its options.\n";

#define INTEL_LOAD_OPTIONS \
    "  --attack FILE      load ATT&CK from this file instead of the shipped KB:\n" \
    "                     a STIX 2.0/2.1 bundle (enterprise-attack.json, may be\n" \
    "                     .gz/.zst) or a spoor KB file\n" \
    "  --no-profiles      leave spoor's actor profiles out\n" \
    "  --profiles PATH    load profiles from PATH (file or folder) instead of\n" \
    "                     <intel>/profiles\n" \
    "\n" \
    "The shipped KB and profiles are found in $SPOOR_INTEL, else in intel/ beside\n" \
    "the binary's folder, else in /usr/share/spoor/intel.\n"

static const char usage_stats[] =
    "usage: spoor intel stats [--attack FILE] [--no-profiles] [--profiles PATH] [--json]\n"
    "\n"
    "Load the knowledge base and print its counts: active groups (neither revoked\n"
    "nor deprecated), campaigns, campaign attributions (attributed-to), software,\n"
    "techniques and sub-techniques, tactics, ATT&CK relationships by type, cited\n"
    "reports, profiles loaded and rejected (with reasons), ATT&CK version, load times.\n"
    "\n"
    "options:\n"
    "  --json             one JSON object\n"
    INTEL_LOAD_OPTIONS
    "\n"
    "exit codes: 0 ok, 2 usage, 3 nothing could be loaded\n";

typedef struct intel_opts {
    const char *attack;         /* NULL: shipped KB */
    const char *profiles;       /* NULL: <intel>/profiles */
    int no_profiles;
    int json;
} intel_opts;

/* parse an option the intel subcommands share; returns 1 if consumed, 0 if
 * not, -1 on a missing value */
static int intel_opt(intel_opts *o, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (!strcmp(a, "--no-profiles")) { o->no_profiles = 1; return 1; }
    if (!strcmp(a, "--json")) { o->json = 1; return 1; }
    if (!strcmp(a, "--attack") || !strcmp(a, "--profiles")) {
        if (*i + 1 >= argc) return -1;
        if (a[2] == 'a') o->attack = argv[++*i];
        else o->profiles = argv[++*i];
        return 1;
    }
    return 0;
}

/* Load ATT&CK and profiles; prints problems; returns EX_OK or EX_NOINPUT. */
static int intel_load(const intel_opts *o, sp_kb **out)
{
    return cli_kb_load(o->attack, o->no_profiles, o->profiles, out);
}

static int intel_stats(int argc, char **argv)
{
    intel_opts o = {0};
    for (int i = 1; i < argc; i++) {
        int r = intel_opt(&o, argc, argv, &i);
        if (r < 0) { fprintf(stderr, "spoor intel stats: %s needs a value\n\n%s", argv[i], usage_stats); return EX_USAGE; }
        if (r) continue;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) { fputs(usage_stats, stdout); return EX_OK; }
        fprintf(stderr, "spoor intel stats: unknown argument '%s'\n\n%s", argv[i], usage_stats);
        return EX_USAGE;
    }
    sp_kb *kb = NULL;
    int rc = intel_load(&o, &kb);
    if (rc != EX_OK) return rc;
    sp_kb_stats st;
    sp_kb_get_stats(kb, &st);
    size_t tech = st.active[SP_KB_TECHNIQUE] - st.subtechniques_active;
    sp_buf *b = sp_buf_new();
    if (!b) { sp_kb_free(kb); return EX_NOINPUT; }
    if (o.json) {
        sp_buf_puts(b, "{\"attack\": {\"version\": ");
        cli_json_str(b, st.attack_version);
        sp_buf_puts(b, ", \"format\": ");
        cli_json_str(b, st.attack_format);
        sp_buf_puts(b, ", \"source\": ");
        cli_json_str(b, st.attack_source);
        sp_buf_puts(b, ", \"notice\": ");
        cli_json_str(b, st.notice);
        sp_buf_printf(b, ", \"load_ms\": %.1f},\n", st.attack_load_ms);
        sp_buf_printf(b, " \"groups\": %zu, \"groups_all\": %zu, \"groups_profile_only\": %zu,\n",
                      st.active[SP_KB_GROUP], st.objects[SP_KB_GROUP], st.groups_profile_only);
        sp_buf_printf(b, " \"campaigns\": %zu, \"campaigns_all\": %zu, \"campaign_attributions\": %zu,\n",
                      st.active[SP_KB_CAMPAIGN], st.objects[SP_KB_CAMPAIGN], st.attributed_to);
        sp_buf_printf(b, " \"software\": %zu, \"malware\": %zu, \"tools\": %zu, \"software_all\": %zu,\n",
                      st.active[SP_KB_SOFTWARE], st.malware_active, st.tools_active, st.objects[SP_KB_SOFTWARE]);
        sp_buf_printf(b, " \"techniques\": %zu, \"subtechniques\": %zu, \"techniques_all\": %zu, \"tactics\": %zu,\n",
                      tech, st.subtechniques_active, st.objects[SP_KB_TECHNIQUE], st.active[SP_KB_TACTIC]);
        sp_buf_printf(b, " \"relationships\": {\"uses\": {\"group_technique\": %zu, \"group_software\": %zu, "
                         "\"campaign_technique\": %zu, \"campaign_software\": %zu, \"software_technique\": %zu}, "
                         "\"attributed-to\": %zu, \"subtechnique-of\": %zu, \"revoked-by\": %zu},\n",
                      st.uses_group_technique, st.uses_group_software, st.uses_campaign_technique,
                      st.uses_campaign_software, st.uses_software_technique, st.attributed_to, st.subtechnique_of,
                      st.revoked_by);
        sp_buf_printf(b, " \"reports\": %zu,\n \"profiles\": {\"loaded\": %zu, \"rejected\": %zu, \"load_ms\": %.1f, \"rejections\": [",
                      st.reports, st.profiles, st.profiles_rejected, st.profiles_load_ms);
        for (size_t i = 0; i < sp_kb_rejection_count(kb); i++) {
            const sp_kb_rejection *r = sp_kb_rejection_at(kb, i);
            if (i) sp_buf_puts(b, ", ");
            sp_buf_puts(b, "{\"file\": ");
            cli_json_str(b, r->file);
            sp_buf_puts(b, ", \"reason\": ");
            cli_json_str(b, r->reason);
            sp_buf_putc(b, '}');
        }
        sp_buf_puts(b, "]}}\n");
    } else {
        sp_buf_printf(b, "ATT&CK %s (%s) from %s, loaded in %.1f ms\n", st.attack_version, st.attack_format,
                      st.attack_source, st.attack_load_ms);
        sp_buf_printf(b, "  groups                   %5zu active (%zu in all)", st.active[SP_KB_GROUP], st.objects[SP_KB_GROUP]);
        if (st.groups_profile_only) sp_buf_printf(b, ", + %zu defined only by profiles", st.groups_profile_only);
        sp_buf_printf(b, "\n  campaigns                %5zu active (%zu in all), %zu attributions (attributed-to)\n",
                      st.active[SP_KB_CAMPAIGN], st.objects[SP_KB_CAMPAIGN], st.attributed_to);
        sp_buf_printf(b, "  software                 %5zu active: %zu malware, %zu tools (%zu in all)\n",
                      st.active[SP_KB_SOFTWARE], st.malware_active, st.tools_active, st.objects[SP_KB_SOFTWARE]);
        sp_buf_printf(b, "  techniques               %5zu active + %zu sub-techniques (%zu in all)\n", tech,
                      st.subtechniques_active, st.objects[SP_KB_TECHNIQUE]);
        sp_buf_printf(b, "  tactics                  %5zu\n", st.active[SP_KB_TACTIC]);
        sp_buf_printf(b, "relationships\n"
                         "  uses group->technique    %5zu\n  uses group->software     %5zu\n"
                         "  uses campaign->technique %5zu\n  uses campaign->software  %5zu\n"
                         "  uses software->technique %5zu\n  attributed-to            %5zu\n"
                         "  subtechnique-of          %5zu\n  revoked-by               %5zu\n",
                      st.uses_group_technique, st.uses_group_software, st.uses_campaign_technique,
                      st.uses_campaign_software, st.uses_software_technique, st.attributed_to, st.subtechnique_of,
                      st.revoked_by);
        sp_buf_printf(b, "reports cited              %5zu\n", st.reports);
        if (o.no_profiles) sp_buf_puts(b, "profiles                   left out (--no-profiles)\n");
        else
            sp_buf_printf(b, "profiles                   %5zu loaded, %zu rejected (%.1f ms)\n", st.profiles,
                          st.profiles_rejected, st.profiles_load_ms);
        if (*st.notice) sp_buf_printf(b, "%s\n", st.notice);
    }
    fwrite(sp_buf_data(b), 1, sp_buf_len(b), stdout);
    sp_buf_free(b);
    sp_kb_free(kb);
    return EX_OK;
}

int cmd_intel(int argc, char **argv)
{
    static const struct { const char *name; int (*fn)(int, char **); } subs[] = {
        {"stats", intel_stats},
        {"lookup", cmd_intel_lookup},
    };
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(usage_intel, argc < 2 ? stderr : stdout);
        return argc < 2 ? EX_USAGE : EX_OK;
    }
    for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
        if (!strcmp(argv[1], subs[i].name)) return subs[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "spoor intel: unknown subcommand '%s'\n\n%s", argv[1], usage_intel);
    return EX_USAGE;
}

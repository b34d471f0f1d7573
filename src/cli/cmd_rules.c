/* cmd_rules.c — `spoor rules check`: load and compile Sigma rules, report
 * what loaded and why anything was rejected; `spoor rules compile`: the same,
 * then write the compiled set to a file `spoor hunt --compiled-rules` reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "base/buf.h"

static const char usage_rules[] =
    "usage: spoor rules check [--json] [--config PLACEHOLDERS.yml] [--logsources MAP.yml] PATH...\n"
    "       spoor rules compile -o FILE [--json] [--config ...] [--logsources ...] PATH...\n"
    "\n"
    "Load Sigma rules (files, or folders searched recursively for *.yml and\n"
    "*.yaml; multi-document files may hold rules, correlations and filters),\n"
    "compile them, and report what loaded and every rejection with its file,\n"
    "rule id and reason.\n"
    "\n"
    "compile also writes the compiled set to FILE (a temporary file beside it,\n"
    "then renamed): `spoor hunt --compiled-rules FILE` then starts without\n"
    "reading or compiling any YAML.  The file is valid for this build of spoor\n"
    "only and is not checked against the rule files again: compile anew after\n"
    "changing them.  (`spoor hunt` also keeps such files by itself, per set of\n"
    "rule files, in its compiled-rules cache.)\n"
    "\n"
    "options:\n"
    "  -o, --output FILE    (compile) where to write the compiled rules\n"
    "  --json               one JSON object: {\"loaded\": N, \"rejected\": M,\n"
    "                       \"rejections\": [{\"file\", \"id\", \"reason\"}], \"compile_ms\": T, ...}\n"
    "  --config FILE        placeholder values for the |expand modifier (YAML map\n"
    "                       name -> list of values); without it rules that use\n"
    "                       placeholders are rejected\n"
    "  --logsources FILE    replace the built-in logsource map (config/logsources.yml)\n"
    "  -q, --quiet          only the summary line (text mode)\n"
    "\n"
    "exit codes: 0 every rule loaded, 1 some rules were rejected, 2 usage,\n"
    "            3 nothing could be read\n";

static int rules_check(int argc, char **argv, int compile)
{
    int json = 0, quiet = 0;
    const char *ph = NULL, *lsmap = NULL, *output = NULL;
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    int npaths = 0, rc = EX_OK;
    sp_ruleset *rs = NULL;
    if (!paths) return EX_NOINPUT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) quiet = 1;
        else if (!strcmp(a, "--config") && i + 1 < argc) ph = argv[++i];
        else if (!strcmp(a, "--logsources") && i + 1 < argc) lsmap = argv[++i];
        else if (compile && (!strcmp(a, "-o") || !strcmp(a, "--output")) && i + 1 < argc) output = argv[++i];
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(usage_rules, stdout); free(paths); return EX_OK; }
        else if (a[0] == '-' && a[1]) { fprintf(stderr, "spoor rules check: unknown option '%s'\n\n%s", a, usage_rules); free(paths); return EX_USAGE; }
        else paths[npaths++] = a;
    }
    if (!npaths || (compile && !output)) {
        if (compile && !output) fputs("spoor rules compile: -o FILE is required\n\n", stderr);
        fputs(usage_rules, stderr);
        free(paths);
        return EX_USAGE;
    }
    sp_sigma_opts o = {lsmap, ph, NULL};   /* `rules check` always compiles from the YAML */
    sp_error err;
    memset(&err, 0, sizeof err);
    if (sp_ruleset_new(&o, &rs, &err) != SP_OK) {
        fprintf(stderr, "spoor: %s: %s\n", err.file, err.msg);
        free(paths);
        return EX_USAGE;
    }
    int read_fail = 0;
    for (int i = 0; i < npaths; i++) {
        memset(&err, 0, sizeof err);
        if (sp_ruleset_add_path(rs, paths[i], &err) != SP_OK) {
            fprintf(stderr, "spoor: %s: %s\n", err.file[0] ? err.file : paths[i], err.msg);
            read_fail++;
        }
    }
    if (sp_ruleset_compile(rs, &err) != SP_OK) {
        fprintf(stderr, "spoor: %s\n", err.msg);
        rc = EX_NOINPUT;
        goto out;
    }
    if (compile && sp_ruleset_save(rs, output, &err) != SP_OK) {
        fprintf(stderr, "spoor rules compile: %s: %s\n", err.file[0] ? err.file : output, err.msg);
        rc = EX_NOINPUT;
        goto out;
    }
    sp_ruleset_stats st;
    sp_ruleset_get_stats(rs, &st);
    size_t nrej = sp_ruleset_rejection_count(rs);
    if (json) {
        sp_buf *b = sp_buf_new();
        if (!b) { rc = EX_NOINPUT; goto out; }
        sp_buf_printf(b, "{\"loaded\": %zu, \"rejected\": %zu, \"rejections\": [", st.loaded, st.rejected);
        for (size_t i = 0; i < nrej; i++) {
            sp_rule_rejection r;
            sp_ruleset_rejection(rs, i, &r);
            if (i) sp_buf_putc(b, ',');
            sp_buf_puts(b, "\n  {\"file\": ");
            cli_json_str(b, r.file);
            sp_buf_puts(b, ", \"id\": ");
            cli_json_str(b, r.id);
            sp_buf_puts(b, ", \"title\": ");
            cli_json_str(b, r.title);
            sp_buf_puts(b, ", \"reason\": ");
            cli_json_str(b, r.reason);
            sp_buf_putc(b, '}');
        }
        sp_buf_printf(b, "%s], \"compile_ms\": %.1f, \"correlations\": %zu, \"filters\": %zu, "
                         "\"unmapped_logsource\": %zu, \"prefilter_literals\": %zu",
                      nrej ? "\n" : "", st.compile_ms, st.correlations, st.filters, st.unmapped, st.literals);
        if (compile) {
            sp_buf_puts(b, ", \"output\": ");
            cli_json_str(b, output);
        }
        sp_buf_puts(b, "}\n");
        fwrite(sp_buf_data(b), 1, sp_buf_len(b), stdout);
        sp_buf_free(b);
    } else {
        if (!quiet)
            for (size_t i = 0; i < nrej; i++) {
                sp_rule_rejection r;
                sp_ruleset_rejection(rs, i, &r);
                printf("rejected %s%s%s: %s\n", r.file, r.id[0] ? " id " : "", r.id, r.reason);
            }
        printf("loaded %zu rules (%zu correlations, %zu filters), rejected %zu, compile %.1f ms; "
               "%zu rules have a logsource outside the map (they match only events that declare it); "
               "%zu prefilter literals\n",
               st.loaded, st.correlations, st.filters, st.rejected, st.compile_ms, st.unmapped, st.literals);
        if (compile) printf("compiled rules written to %s\n", output);
    }
    if (st.loaded == 0 && (read_fail || st.rejected == 0)) rc = EX_NOINPUT;
    else if (st.rejected) rc = EX_FOUND;
    else if (read_fail) rc = EX_PARTIAL;
out:
    sp_ruleset_free(rs);
    free(paths);
    return rc;
}

int cmd_rules(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(usage_rules, argc < 2 ? stderr : stdout);
        return argc < 2 ? EX_USAGE : EX_OK;
    }
    if (!strcmp(argv[1], "check")) return rules_check(argc - 1, argv + 1, 0);
    if (!strcmp(argv[1], "compile")) return rules_check(argc - 1, argv + 1, 1);
    fprintf(stderr, "spoor rules: unknown subcommand '%s'\n\n%s", argv[1], usage_rules);
    return EX_USAGE;
}

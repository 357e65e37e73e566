/*
 * commands.c: the table of subcommands. Adding a command is one line here, one cmd_<name>.c
 * file, and one man page in docs/man/ (tests/e2e/help.sh checks all three agree).
 */
#include <stddef.h>

#include "banned.h"
#include "cli.h"

const struct cmd madi_commands[] = {
    { "init", cmd_init, CMD_WRITES, "create a database (or upgrade one)", cmd_init_usage },
    { "import", cmd_import, CMD_NEEDS_DB | CMD_WRITES, "check and store operator reports (CSV)",
      cmd_import_usage },
    { "template", cmd_template, 0, "print an empty CSV, an example, or column docs for a kind",
      cmd_template_usage },
    { "summary", cmd_summary, CMD_NEEDS_DB, "show what a database holds, with SADDD breakdowns",
      cmd_summary_usage },
    { "batch", cmd_batch, CMD_NEEDS_DB | CMD_WRITES,
      "list import batches; submit, review and approve operators' files", cmd_batch_usage },
    { "alias", cmd_alias, CMD_NEEDS_DB | CMD_WRITES, "map operators' own column headers",
      cmd_alias_usage },
    { "export", cmd_export, CMD_NEEDS_DB,
      "write a kind's records as CSV (with HXL), importable "
      "again",
      cmd_export_usage },
    { "mapping", cmd_mapping, 0, "learn a mapping profile for a source's own columns and words",
      cmd_mapping_usage },
    { "xlsform", cmd_xlsform, 0, "write an XLSForm for KoBoToolbox or ODK for a kind",
      cmd_xlsform_usage },
    { "codes", cmd_codes, CMD_NEEDS_DB, "list code lists; add the centre's own codes",
      cmd_codes_usage },
    { "indicators", cmd_indicators, CMD_NEEDS_DB,
      "compute the gender and diversity indicators, with coverage, flags and targets",
      cmd_indicators_usage },
    { "report", cmd_report, CMD_NEEDS_DB,
      "write a period's report (HTML, Markdown, JSON-stat, CSV+HXL) with disclosure control",
      cmd_report_usage },
    { "attendance", cmd_attendance, CMD_NEEDS_DB,
      "tally attendance lists: counts by sex, age, disability; distinct people",
      cmd_attendance_usage },
    { "quality", cmd_quality, CMD_NEEDS_DB,
      "data quality per operator: completeness, consistency, zero vs blank, outliers",
      cmd_quality_usage },
    { "demo", cmd_demo, CMD_WRITES, "generate, import and summarise a fictional programme",
      cmd_demo_usage },
    { "keys", cmd_keys, CMD_NEEDS_DB | CMD_WRITES,
      "create, rotate and publish the centre's keys; seal files", cmd_keys_usage },
    { "survivor", cmd_survivor, CMD_NEEDS_DB,
      "list survivors by pseudonym; show one with a reason (audited)", cmd_survivor_usage },
    { "referrals", cmd_referrals, CMD_NEEDS_DB, "referral queues: overdue, per provider",
      cmd_referrals_usage },
    { "link", cmd_link, CMD_NEEDS_DB, "review suspected duplicate survivors across operators",
      cmd_link_usage },
    { "audit", cmd_audit, CMD_NEEDS_DB, "verify the audit log of personal data", cmd_audit_usage },
    { "erase", cmd_erase, CMD_NEEDS_DB | CMD_WRITES,
      "erase a person's personal data on request (audited)", cmd_erase_usage },
    { "serve", cmd_serve, CMD_NEEDS_DB,
      "serve the web interface and the JSON API (roles, review workflow, dashboard)",
      cmd_serve_usage },
    { "user", cmd_user, CMD_NEEDS_DB | CMD_WRITES,
      "accounts of the server: add, list, passwords, disable, case assignments", cmd_user_usage },
    { "help", cmd_help, 0, "show help for a command", cmd_help_usage },
    { NULL, NULL, 0, NULL, NULL },
};

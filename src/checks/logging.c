/* logging.c - LOG checks: syslog, verbosity, auditd rules, Loki */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

#include "checks/common.h"
#include "checks/host_checks.h"
#include "lxdval.h"

/* One daemon logging setting: a command line flag and its snap key. */
struct log_setting {
	const char *object;	/* host_checks_daemon() */
	const char *what;	/* "logs to syslog" */
	const char *verb;	/* "log to syslog" */
	const char *flags;	/* "--syslog" */
	const char *snap_key;	/* "daemon.syslog" */
	bool running;		/* the flag is on the running daemon */
	int configured;		/* the snap setting: 1, 0, -1 unset */
};

static void
judge_setting(const struct check *c, const struct host *h,
	      const struct log_setting *s, struct findings *out)
{
	const char *cfg = s->configured > 0 ? "true" : "false";
	char *cfg_obj;
	struct finding *f;

	if (h->install != HOST_INSTALL_SNAP) {
		if (!h->pid) {
			findings_add(out, ST_ERROR, c->severity, s->object,
				     "%s.", h->daemon_error);
			return;
		}
		if (s->running) {
			findings_add(out, ST_PASS, c->severity, s->object,
				     "The daemon (PID %ld) %s: %s is on its "
				     "command line.", h->pid, s->what,
				     s->flags);
			return;
		}
		f = findings_add(out, ST_FAIL, c->severity, s->object,
				 "The daemon (PID %ld) runs without %s.",
				 h->pid, s->flags);
		finding_remediation(f, "add %s to the daemon's command line "
				    "(for %s.service a systemd drop-in that "
				    "overrides ExecStart: systemctl edit "
				    "%s.service), then restart it",
				    s->flags,
				    h->install == HOST_INSTALL_INCUS ? "incus"
								     : "lxd",
				    h->install == HOST_INSTALL_INCUS ? "incus"
								     : "lxd");
		return;
	}

	cfg_obj = host_checks_file(h->snap_config_path);
	if (h->snap_config_error) {
		findings_add(out, ST_ERROR, c->severity, cfg_obj, "%s.",
			     h->snap_config_error);
	} else if (!h->pid && s->configured > 0) {
		findings_add(out, ST_ERROR, c->severity, s->object,
			     "%s is true, but whether the running daemon "
			     "uses it is unknown: %s.", s->snap_key,
			     h->daemon_error);
	} else if (!h->pid) {
		f = findings_add(out, ST_FAIL, c->severity, cfg_obj,
				 "%s is %s, so the daemon does not %s.",
				 s->snap_key, cfg, s->verb);
		finding_key(f, s->snap_key, cfg, cfg_obj);
		finding_remedy_cmd(f, "snap set lxd %s=true", s->snap_key);
		finding_remedy_cmd(f, "snap restart lxd.daemon");
	} else if (s->running && s->configured > 0) {
		findings_add(out, ST_PASS, c->severity, s->object,
			     "The daemon (PID %ld) %s (%s=true).", h->pid,
			     s->what, s->snap_key);
	} else if (s->running) {
		f = findings_add(out, ST_FAIL, c->severity, cfg_obj,
				 "The daemon (PID %ld) %s now, but %s is %s: "
				 "the next restart turns it off.", h->pid,
				 s->what, s->snap_key, cfg);
		finding_key(f, s->snap_key, cfg, cfg_obj);
		finding_remedy_cmd(f, "snap set lxd %s=true", s->snap_key);
	} else if (s->configured > 0) {
		f = findings_add(out, ST_FAIL, c->severity, s->object,
				 "%s=true is not in effect yet: the daemon "
				 "(PID %ld) runs without %s; a restart is "
				 "needed.", s->snap_key, h->pid, s->flags);
		finding_key(f, s->snap_key, "true", cfg_obj);
		finding_remedy_cmd(f, "snap restart lxd.daemon");
	} else {
		f = findings_add(out, ST_FAIL, c->severity, cfg_obj,
				 "%s is %s and the daemon (PID %ld) runs "
				 "without %s.", s->snap_key, cfg, h->pid,
				 s->flags);
		finding_key(f, s->snap_key, cfg, cfg_obj);
		finding_remedy_cmd(f, "snap set lxd %s=true", s->snap_key);
		finding_remedy_cmd(f, "snap restart lxd.daemon");
	}
	free(cfg_obj);
}

static void
eval_syslog(const struct check *c, const struct check_ctx *x,
	    struct findings *out)
{
	const struct host *h = host_checks_need(c, x, host_checks_daemon(x), out);
	struct log_setting s = {
		.what = "logs to syslog",
		.verb = "log to syslog",
		.flags = "--syslog",
		.snap_key = "daemon.syslog",
		.object = host_checks_daemon(x),
	};

	if (!h)
		return;
	s.running = h->flag_syslog;
	s.configured = h->snap_syslog;
	judge_setting(c, h, &s, out);
}

static void
eval_verbose(const struct check *c, const struct check_ctx *x,
	     struct findings *out)
{
	const struct host *h = host_checks_need(c, x, host_checks_daemon(x), out);
	struct log_setting s = {
		.what = "logs verbosely",
		.verb = "log verbosely",
		.flags = "--verbose (or --debug)",
		.snap_key = "daemon.verbose",
		.object = host_checks_daemon(x),
	};

	if (!h)
		return;
	s.running = h->flag_verbose || h->flag_debug;
	s.configured = h->snap_verbose > 0 || h->snap_debug > 0 ? 1
		       : h->snap_verbose == 0			 ? 0
								 : -1;
	judge_setting(c, h, &s, out);
}

/* ------------------------------------------------------------ LOG-003 -- */

/* Appends the rule for binary to AUDIT_RULES (and loads it). */
static void
audit_rule_remedy(struct finding *f, const char *binary, bool load)
{
	char *rule = checks_audit_rule(binary);

	finding_remedy_cmd(f, "printf '%%s\\n' %s >> %s", shq(rule),
			   AUDIT_RULES);
	if (load)
		finding_remedy_cmd(f, "augenrules --load");
	free(rule);
}

static void
eval_auditd(const struct check *c, const struct check_ctx *x,
	    struct findings *out)
{
	const struct host *h = host_checks_need(c, x, host_checks_daemon(x), out);
	struct finding *f;

	if (!h)
		return;
	if (!h->auditd_path) {
		f = findings_add(out, ST_FAIL, c->severity,
				 "file:///usr/sbin/auditd",
				 "auditd is not installed: nothing records "
				 "who runs the %s commands.", h->product);
		finding_remedy_cmd(f, "apt-get install auditd");
		finding_remediation(f, "then run 'lxd-harden fix --only "
				    "LXD-LOG-003' to add execution rules for "
				    "the %s binaries to " AUDIT_RULES,
				    h->product);
		return;
	}
	if (h->audit_files_error) {
		findings_add(out, ST_ERROR, c->severity,
			     "file:///etc/audit/rules.d", "%s.",
			     h->audit_files_error);
		return;
	}
	if (h->lxd_binaries.n == 0) {
		findings_add(out, ST_ERROR, c->severity, host_checks_daemon(x),
			     "No %s binary was found on the host, so there "
			     "is nothing to match the audit rules against.",
			     h->product);
		return;
	}
	for (size_t i = 0; i < h->lxd_binaries.n; i++) {
		const char *b = h->lxd_binaries.v[i];
		bool in_files = strlist_has(&h->audit_file_exec, b);
		bool in_loaded = h->audit_loaded_known &&
				 strlist_has(&h->audit_loaded_exec, b);
		char *obj = host_checks_file(b);

		if (!in_files && !in_loaded) {
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "No audit rule records the execution "
					 "of %s.", b);
			audit_rule_remedy(f, b, true);
		} else if (!in_files) {
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "The loaded audit rules watch %s, but "
					 "no rules file does: the rule is lost "
					 "at the next reboot.", b);
			audit_rule_remedy(f, b, false);
		} else if (h->audit_loaded_known && !in_loaded) {
			f = findings_add(out, ST_FAIL, c->severity, obj,
					 "The rules files watch %s, but the "
					 "loaded rules do not.", b);
			finding_remedy_cmd(f, "augenrules --load");
		} else {
			findings_add(out, ST_PASS, c->severity, obj,
				     "Executions of %s are audited%s.", b,
				     h->audit_loaded_known
					     ? " (rules file and loaded rules)"
					     : " (rules file)");
		}
		free(obj);
	}
	if (h->auditctl_path && !h->audit_loaded_known) {
		char *obj = host_checks_file(h->auditctl_path);

		findings_add(out, ST_MANUAL, c->severity, obj,
			     "The loaded audit rules could not be read (%s): "
			     "check them with auditctl -l.",
			     h->audit_loaded_error);
		free(obj);
	}
}

/* ------------------------------------------------------------ LOG-004 -- */

/*
 * Incus's named loggers (API extension server_logging, Incus 6.12 and
 * 6.0.5): a logger exists when logging.NAME.target.type is set (loki,
 * syslog or webhook) and sends to logging.NAME.target.address; syslog
 * without an address writes to the host's own syslog. The loki.* keys stay
 * as a deprecated logger named "loki" (internal/server/cluster/config in
 * Incus 6.0.6 and 7.3).
 */
#define INCUS_LOGGING_EXT "server_logging"
#define INCUS_LOGGING_SINCE "Incus 6.12 and 6.0.5"
/* LOG-004: what a person supplies for a log server. */
#define LOKI_URL_WHY                                                     \
	"the address of your Loki server, such as https://loki.example:3100"

/*
 * The scheme, host and port of a log target's address, for messages: a
 * URL may carry credentials (user:password@) or a webhook token in its
 * path or query, which a report must not repeat. Caller frees.
 */
static char *
target_origin(const char *addr)
{
	const char *host = strstr(addr, "://");
	const char *at, *end;
	size_t scheme;

	if (!host)
		return xstrndup(addr, strcspn(addr, "/?#@"));
	scheme = (size_t)(host - addr) + 3;
	host += 3;
	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(end - host));
	if (at)
		host = at + 1;
	return xasprintf("%.*s%.*s", (int)scheme, addr, (int)(end - host),
			 host);
}

/* NAME of "logging.NAME.target.type" (NAME has no dot), or NULL. */
static char *
incus_logger_name(const char *key)
{
	const char *name = key + strlen("logging."), *dot;

	if (!str_starts_with(key, "logging."))
		return NULL;
	dot = strchr(name, '.');
	if (!dot || dot == name || !str_eq(dot, ".target.type"))
		return NULL;
	return xstrndup(name, (size_t)(dot - name));
}

static void
eval_incus_logging(const struct check *c, const struct check_ctx *x,
		   struct findings *out)
{
	const struct snapshot *s = x->snap;
	json_t *cfg = json_object_get(s->part[SNAP_SERVER], "config");
	struct strbuf local = STRBUF_INIT;
	const char *key, *url, *from = NULL;
	size_t shipping = 0, bad = 0;
	struct finding *f;
	json_t *v;

	if (!json_is_object(cfg)) {
		findings_add(out, ST_ERROR, c->severity, "/1.0",
			     "GET /1.0 has no config object, so the logging "
			     "targets cannot be read.");
		return;
	}
	json_object_foreach (cfg, key, v) {
		char *name = incus_logger_name(key), *akey;
		const char *addr;

		if (!name)
			continue;
		if (!json_is_string(v)) {
			findings_add(out, ST_ERROR, c->severity, "/1.0",
				     "%s is not a string, so logger %s cannot "
				     "be judged.", key, name);
			free(name);
			bad++;
			continue;
		}
		akey = xasprintf("logging.%s.target.address", name);
		addr = snapshot_config(s, akey, NULL);
		if (!str_empty(json_string_value(v)) && !str_empty(addr)) {
			char *origin = target_origin(addr);

			findings_add(out, ST_PASS, c->severity, "/1.0",
				     "Events go to the %s logger %s at %s "
				     "(%s).", json_string_value(v), name,
				     origin, akey);
			free(origin);
			shipping++;
		} else {
			strbuf_addf(&local, "%s%s (%s, no %s)",
				    local.len ? ", " : "", name,
				    str_empty(json_string_value(v)) ?
					    "no type" :
					    json_string_value(v),
				    str_empty(addr) ? "address" : "type");
		}
		free(akey);
		free(name);
	}
	url = snapshot_config(s, "loki.api.url", &from);
	if (!str_empty(url)) {
		char *origin = target_origin(url);

		if (snapshot_has_ext(s, INCUS_LOGGING_EXT))
			findings_add(out, ST_PASS, c->severity, "/1.0",
				     "Events go to Loki at %s (loki.api.url, "
				     "deprecated since " INCUS_LOGGING_SINCE
				     ": move it to a logging.NAME.target.* "
				     "logger).", origin);
		else
			findings_add(out, ST_PASS, c->severity, "/1.0",
				     "Events go to Loki at %s.", origin);
		free(origin);
		shipping++;
	}
	/* a logger that cannot be read may be the one that ships */
	if (shipping || bad) {
		strbuf_release(&local);
		return;
	}
	if (snapshot_has_ext(s, INCUS_LOGGING_EXT)) {
		f = findings_add(out, ST_FAIL, c->severity, "/1.0",
				 "No logger sends events off the host: no "
				 "logging.NAME.target.type has a "
				 "target.address%s%s%s, and loki.api.url is "
				 "not set.", local.len ? " (" : "",
				 local.len ? local.buf : "",
				 local.len ? ")" : "");
		finding_key(f, "logging.NAME.target.address", "", "default");
		finding_remedy_need(f, "logging.remote.target.address",
				    LOKI_URL_WHY);
		finding_remediation(f, "Then: %s config set "
				       "logging.remote.target.type=loki "
				       "logging.remote.target.address=ADDRESS.",
				    snapshot_client(s));
	} else if (snapshot_has_ext(s, "loki")) {
		f = findings_add(out, ST_FAIL, c->severity, "/1.0",
				 "loki.api.url is not set: the server's "
				 "events and logs stay on the host.");
		finding_key(f, "loki.api.url", "", "default");
		finding_remedy_need(f, "loki.api.url", LOKI_URL_WHY);
		finding_remediation(f, "Then: %s config set loki.api.url=URL.",
				    snapshot_client(s));
	} else {
		findings_add(out, ST_NOTAPPLICABLE, c->severity, "/1.0",
			     "Incus %s has neither Loki (API extension loki) "
			     "nor named loggers (API extension "
			     INCUS_LOGGING_EXT ").",
			     s->server_version ? s->server_version : "");
	}
	strbuf_release(&local);
}

/*
 * This one reads only the API, so it is judged on remote servers too:
 * the Loki settings are server config, not host state.
 */
static void
eval_loki(const struct check *c, const struct check_ctx *x,
	  struct findings *out)
{
	const struct snapshot *s = x->snap;
	const char *url, *types, *from = NULL;
	struct finding *f;
	char *origin;

	if (!checks_need_part(c, x, SNAP_SERVER, "/1.0", out))
		return;
	if (str_eq(s->product, "incus")) {
		eval_incus_logging(c, x, out);
		return;
	}
	if (!snapshot_has_ext(s, "loki")) {
		findings_add(out, ST_NOTAPPLICABLE, c->severity, "/1.0",
			     "LXD %s has no Loki support (API extension "
			     "loki, LXD 5.6).",
			     s->server_version ? s->server_version : "");
		return;
	}
	url = snapshot_config(s, "loki.api.url", &from);
	if (str_empty(url)) {
		f = findings_add(out, ST_FAIL, c->severity, "/1.0",
				 "loki.api.url is not set: the server's "
				 "events and logs stay on the host.");
		finding_key(f, "loki.api.url", "", "default");
		finding_remedy_need(f, "loki.api.url", LOKI_URL_WHY);
		finding_remediation(f, "Then: %s config set loki.api.url=URL.",
				    snapshot_client(s));
		return;
	}
	if (snapshot_has_ext(s, "event_security")) {
		types = snapshot_config(s, "loki.types", &from);
		if (!types)
			types = "lifecycle,logging";
		if (!strstr(types, "security")) {
			f = findings_add(out, ST_FAIL, c->severity, "/1.0",
					 "loki.types=%s leaves out security: "
					 "the security events stay on the "
					 "host.", types);
			finding_key(f, "loki.types", types,
				    str_eq(from, "default") ? "default"
							    : "/1.0");
			finding_remedy_cmd(f, "%s config set loki.types=%s,"
					    "security", snapshot_client(s),
					    shq(types));
			return;
		}
	}
	origin = target_origin(url);
	findings_add(out, ST_PASS, c->severity, "/1.0",
		     "Events go to Loki at %s.", origin);
	free(origin);
}

const struct check logging_checks[] = {
	{
		.id = "LXD-LOG-001",
		.title = "The daemon logs to syslog",
		.severity = SEV_LOW,
		.rationale = "The daemon's log file lives on the host it "
			     "describes; syslog hands the messages to the "
			     "host's log collection, where they can be kept "
			     "and forwarded out of an attacker's reach.",
		.reads = "--syslog on the running daemon's command line "
			 "(/proc/PID/cmdline), and for the snap daemon.syslog "
			 "in /var/snap/lxd/common/config, which takes effect "
			 "at the next restart.",
		.remediation = "On the snap: snap set lxd daemon.syslog=true "
			       "and snap restart lxd.daemon. Elsewhere add "
			       "--syslog to the daemon's command line (a "
			       "systemd drop-in for its service).",
		.eval = eval_syslog,
	},
	{
		.id = "LXD-LOG-002",
		.title = "The daemon logs verbosely",
		.severity = SEV_LOW,
		.rationale = "Without --verbose the daemon logs only warnings "
			     "and errors, so the record of what was done "
			     "through LXD is missing when it is needed.",
		.reads = "--verbose or --debug on the running daemon's "
			 "command line, and for the snap daemon.verbose (or "
			 "daemon.debug) in /var/snap/lxd/common/config.",
		.remediation = "On the snap: snap set lxd daemon.verbose=true "
			       "and snap restart lxd.daemon. Elsewhere add "
			       "--verbose to the daemon's command line.",
		.eval = eval_verbose,
	},
	{
		.id = "LXD-LOG-003",
		.title = "auditd records every run of the LXD binaries",
		.severity = SEV_MEDIUM,
		.rationale = "Execution rules for the client and daemon "
			     "binaries leave a record, outside LXD's own "
			     "logs, of who ran them and when.",
		.reads = "Whether auditd is installed, the execution rules "
			 "in /etc/audit/rules.d/*.rules and "
			 "/etc/audit/audit.rules, and the loaded rules "
			 "(auditctl -l) where auditctl exists; the binaries "
			 "are the five /snap/bin paths of the guide for the "
			 "snap, or the install's own.",
		.remediation = "Install auditd and add one rule per binary "
			       "to " AUDIT_RULES ", such as "
			       "-w PATH -p x -k lxd_execution for the client "
			       "binary's PATH, then load them with augenrules "
			       "--load.",
		.eval = eval_auditd,
	},
	{
		.id = "LXD-LOG-004",
		.title = "Events are shipped to a remote log server",
		.severity = SEV_LOW,
		.rationale = "Logs kept only on the host can be erased by "
			     "whoever takes it over; shipping lifecycle and "
			     "security events to a log server keeps a copy "
			     "elsewhere.",
		.reads = "From GET /1.0, with no access to the host: on LXD "
			 "loki.api.url and, where the release sends security "
			 "events, loki.types; on Incus the named loggers "
			 "logging.NAME.target.type and "
			 "logging.NAME.target.address where the release has "
			 "them, else the older loki.api.url.",
		.remediation = "On LXD set loki.api.url to your Loki server "
			       "and, where the release sends security events, "
			       "add security to loki.types. On Incus define a "
			       "logger (logging.NAME.target.type loki, syslog "
			       "or webhook, and logging.NAME.target.address), "
			       "or set loki.api.url on releases without named "
			       "loggers. The finding gives the command for the "
			       "server's release.",
		.eval = eval_loki,
	},
	CHECK_END,
};

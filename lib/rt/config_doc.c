/* config_doc.c - what --help, --version, tcpe(8) and the completion say, from the key table. */
#include "config.h"
#include "config_priv.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_version.h>

#ifndef TCPE_VERSION
#define TCPE_VERSION "unknown"
#endif

/* The options that are not keys of the INI file (or are, but parse specially), in --help order. */
static const struct config_opt_doc fixed_opts[] = {
	{ "config", 'c', "FILE", "INI file ([tcpe], [tcp], [client], [listen], [portN]); options "
	  "override it", NULL, NULL, NULL },
	{ "help", 'h', NULL, "print this list and exit", NULL, NULL, NULL },
	{ "version", 0, NULL, "print tcpe's version and the DPDK it was built with, and exit",
	  NULL, NULL, NULL },
	{ "ip", 0, "ADDR/PREFIX", "IPv4 address of port 0 (ip in [portN] for the others)", "port0",
	  NULL, NULL },
	{ "gateway", 0, "ADDR", "next hop for addresses outside the prefix", "port0", NULL, NULL },
	{ "vlan", 0, "ID", "802.1Q VLAN of port 0 (1..4094): frames leave tagged ID, only frames "
	  "tagged ID are taken (vlan in [portN] for the others)", "port0", NULL, NULL },
	{ "ip6", 0, "ADDR/PREFIX", "IPv6 address of port 0, dual stack with --ip (ip6 in [portN] for "
	  "the others)", "port0", NULL, NULL },
	{ "gateway6", 0, "ADDR", "IPv6 next hop for addresses outside the ip6 prefix", "port0", NULL,
	  NULL },
	{ "listen", 0, "PORT:APP", NULL, "listen", "42181:hello", NULL },
};

bool
config_opt_doc(unsigned int i, struct config_opt_doc *d)
{
	static char listen_help[160];
	const struct key *k;

	if (i < RTE_DIM(fixed_opts)) {
		*d = fixed_opts[i];
		if (strcmp(d->name, "listen") == 0) {
			char names[128];

			snprintf(listen_help, sizeof(listen_help), "repeatable; APP is %s",
				 config_app_list(names, sizeof(names)));
			d->help = listen_help;
		}
		return true;
	}
	i -= RTE_DIM(fixed_opts);
	if (i >= config_nkeys)
		return false;
	k = &config_keys[i];
	*d = (struct config_opt_doc){
		.name = k->name, .help = k->help, .section = k->section, .def = k->def,
		.arg = k->type == K_STR ? "TEXT" : k->type == K_SIZE ? (k->size == 1 ? "N" : "BYTES") :
		       k->type == K_ENUM ? "NAME" : "N",
		.choices = k->choices,
	};
	if (k->type == K_NUM && k->min == 0 && k->max == 1) {	/* a switch: 0 or 1 */
		static const char *const bools[] = { "0", "1", NULL };

		d->choices = bools;
	}
	return true;
}

void
config_version(FILE *out)
{
	fprintf(out, "tcpe %s (built with DPDK %d.%02d.%d, running %s)\n", TCPE_VERSION, RTE_VER_YEAR,
		RTE_VER_MONTH, RTE_VER_MINOR, rte_version());
}

void
config_usage(FILE *out, const char *prog)
{
	struct config_opt_doc d;

	fprintf(out, "usage: %s [EAL options] -- [options]\n", prog);
	for (unsigned int i = 0; config_opt_doc(i, &d); i++) {
		char opt[48], shrt[8] = "";

		if (d.short_name)
			snprintf(shrt, sizeof(shrt), "-%c, ", d.short_name);
		snprintf(opt, sizeof(opt), "%s--%s%s%s", shrt, d.name, d.arg ? " " : "",
			 d.arg ? d.arg : "");
		fprintf(out, "  %-22s %s", opt, d.help);
		if (d.section != NULL)
			fprintf(out, " [%s]", d.section);
		if (d.section != NULL || (d.def != NULL && d.def[0]))
			fprintf(out, " (default %s)", d.def != NULL && d.def[0] ? d.def : "none");
		fputc('\n', out);
	}
}


void
config_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

void
config_json(const struct tcpe_config *cfg, FILE *out)
{
	char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN], a6[INET6_ADDRSTRLEN], g6[INET6_ADDRSTRLEN];

	fputc('{', out);
	for (unsigned int i = 0; i < config_nkeys; i++) {
		const struct key *k = &config_keys[i];
		const void *v = (const char *)cfg + k->off;

		fprintf(out, "%s\"%s\": ", i ? ", " : "", k->name);
		if (k->type == K_STR)
			config_json_string(out, v);
		else if (k->type == K_ENUM)
			config_json_string(out, k->choices[*(const uint64_t *)v]);
		else
			fprintf(out, "%llu", (unsigned long long)*(const uint64_t *)v);
	}
	fputs(", \"ports\": [", out);
	for (unsigned int i = 0, n = 0; i < TCPE_MAX_PORTS; i++) {
		if (cfg->ports[i].ip == 0)
			continue;
		inet_ntop(AF_INET, &cfg->ports[i].ip, a, sizeof(a));
		inet_ntop(AF_INET, &cfg->ports[i].gateway, g, sizeof(g));
		fprintf(out, "%s{\"port\": %u, \"ip\": \"%s/%u\", \"gateway\": %s%s%s, \"vlan\": %u",
			n++ ? ", " : "", i, a, cfg->ports[i].prefix, cfg->ports[i].gateway ? "\"" : "",
			cfg->ports[i].gateway ? g : "null", cfg->ports[i].gateway ? "\"" : "",
			cfg->ports[i].vlan);
		if (!config_ip6_none(cfg->ports[i].ip6)) {
			bool gw = !config_ip6_none(cfg->ports[i].gateway6);

			inet_ntop(AF_INET6, cfg->ports[i].ip6, a6, sizeof(a6));
			inet_ntop(AF_INET6, cfg->ports[i].gateway6, g6, sizeof(g6));
			fprintf(out, ", \"ip6\": \"%s/%u\", \"gateway6\": %s%s%s", a6,
				cfg->ports[i].prefix6, gw ? "\"" : "", gw ? g6 : "null", gw ? "\"" : "");
		}
		fputc('}', out);
	}
	fputs("], \"listen\": {", out);
	for (unsigned int i = 0; i < cfg->nlisten; i++)
		fprintf(out, "%s\"%u\": \"%s\"", i ? ", " : "", cfg->listen[i].port,
			config_app_name(cfg->listen[i].app));
	fputs("}}", out);
}

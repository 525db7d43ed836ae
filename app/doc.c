/* doc.c - build-time generator of tcpe(8) and tcpe's bash completion from the one option table. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

/* Write @p s for troff: backslashes doubled, every '-' a real minus, no control line by accident. */
static void
roff(FILE *out, const char *s)
{
	if (s[0] == '.' || s[0] == '\'')
		fputs("\\&", out);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-')
			fputs("\\-", out);
		else
			fputc(*s, out);
	}
}

static const char *const man_intro =
	".SH NAME\n"
	"tcpe \\- a DPDK user\\-space TCP endpoint: server at line rate, and its own load generator\n"
	".SH SYNOPSIS\n"
	".B tcpe\n"
	".RI [ \"EAL options\" ]\n"
	".B \\-\\-\n"
	".RI [ options ]\n"
	".br\n"
	".B tcpe \\-\\-help\n"
	".br\n"
	".B tcpe \\-\\-version\n"
	".SH DESCRIPTION\n"
	".B tcpe\n"
	"answers TCP from user space. Poll\\-mode workers on pinned cores pull bursts from the queues of "
	"DPDK ports (RSS, or software steering where a port has none, sends each connection to one "
	"worker), keep share\\-nothing per\\-worker connection tables and a full TCP state machine, and "
	"run built\\-in applications on the connections: \\fBhello\\fR (writes a greeting and closes), "
	"\\fBecho\\fR, \\fBdiscard\\fR, \\fBhttp\\fR (HTTP/1.1 with keep\\-alive and pipelining) and "
	"\\fBbulk\\fR (sends as fast as the path takes). With \\fB\\-\\-connect\\fR it is a client "
	"instead, opening connections at a rate or a concurrency and measuring their latency. The first "
	"lcore is the control core: it prints per\\-worker statistics every \\fB\\-\\-stats\\-interval\\fR "
	"seconds and serves DPDK telemetry and, with \\fB\\-\\-prometheus\\fR, metrics and a live "
	"dashboard.\n"
	".PP\n"
	"EAL options are DPDK's own (\\fB\\-l\\fR, \\fB\\-\\-lcores\\fR, \\fB\\-\\-vdev\\fR, "
	"\\fB\\-\\-no\\-pci\\fR, \\fB\\-\\-no\\-huge\\fR, \\fB\\-m\\fR, \\fB\\-\\-file\\-prefix\\fR...); "
	"see the DPDK documentation. tcpe's own options follow \\fB\\-\\-\\fR and are checked before "
	"EAL starts: bad input exits with status 2 and one message naming the problem, before any port "
	"is touched. Sizes take K, M and G suffixes (binary).\n"
	".SH OPTIONS\n"
	"Each option shows, in brackets, the section of the configuration file that holds the same "
	"key.\n";

static const char *const man_outro =
	".SH CONFIGURATION FILE\n"
	"An INI file (\\fB\\-c\\fR) with sections \\fB[tcpe]\\fR, \\fB[tcp]\\fR and \\fB[client]\\fR "
	"holding the keys above by their long names (\\fBmax\\-conns = 1M\\fR), \\fB[listen]\\fR with "
	"\\fIPORT\\fR \\fB=\\fR \\fIAPP\\fR lines, and \\fB[port0]\\fR..\\fB[port3]\\fR with \\fBip\\fR "
	"and \\fBgateway\\fR. Options on the command line override the file. Unknown sections or keys, "
	"malformed lines (with their line number) and out\\-of\\-range values are errors.\n"
	".SH SIGNALS\n"
	"SIGINT and SIGTERM stop the workers; tcpe prints its final totals (every non\\-zero counter, "
	"total and per worker), closes the ports and exits.\n"
	".SH EXIT STATUS\n"
	".TP\n.B 0\nstopped by a signal or \\fB\\-\\-duration\\fR, or \\fB\\-\\-help\\fR / "
	"\\fB\\-\\-version\\fR printed.\n"
	".TP\n.B 1\na resource could not be had at start\\-up (memory, a port, a queue).\n"
	".TP\n.B 2\nbad input: an option, a configuration line, or EAL's own arguments.\n"
	".SH EXAMPLES\n"
	"The seed's server on a tap interface, one worker:\n"
	".PP\n.nf\n.RS\n"
	"tcpe \\-l 0\\-1 \\-\\-no\\-pci \\-\\-vdev net_tap0,iface=tcpe0 \\-\\- \\-\\-ip 198.18.0.1/24 "
	"\\-\\-listen 42181:hello\n"
	".RE\n.fi\n.PP\n"
	"HTTP on two workers, with Prometheus metrics and the dashboard on port 9100:\n"
	".PP\n.nf\n.RS\n"
	"tcpe \\-l 0\\-2 \\-\\-no\\-pci \\-\\-vdev net_tap0,iface=tcpe0 \\-\\- \\-\\-ip 198.18.0.1/24 "
	"\\-\\-listen 80:http \\-\\-prometheus 0.0.0.0:9100\n"
	".RE\n.fi\n.PP\n"
	"tcpe's client against a tcpe server over a memif pair, 300 000 new connections per second:\n"
	".PP\n.nf\n.RS\n"
	"tcpe \\-l 2\\-3 \\-\\-no\\-pci \\-\\-file\\-prefix c \\-\\-vdev "
	"net_memif0,role=client,socket=/tmp/m.sock \\-\\- \\-\\-ip 198.18.1.2/24 "
	"\\-\\-connect 198.18.1.1:80 \\-\\-request http \\-\\-rate 300000 \\-\\-duration 10\n"
	".RE\n.fi\n"
	".SH SEE ALSO\n"
	".BR tcpe\\-top (1),\n"
	".BR tcpe\\-report (1),\n"
	".BR dpdk\\-telemetry.py (1)\n"
	".PP\n"
	"The README in tcpe's sources: architecture, counters, benchmarks and tests.\n";

/* tcpe(8): the fixed text around one entry per option, in --help order. */
static void
man(FILE *out, const char *date)
{
	struct config_opt_doc d;

	fprintf(out, ".\\\" tcpe(8), generated at build time from tcpe's option table by app/doc.c\n");
	fprintf(out, ".TH TCPE 8 \"%s\" \"tcpe %s\" \"System Administration\"\n", date, TCPE_VERSION);
	fputs(man_intro, out);
	for (unsigned int i = 0; config_opt_doc(i, &d); i++) {
		size_t len = strlen(d.help);

		fputs(d.arg != NULL ? ".TP\n.BI \"" : ".TP\n.B \"", out);
		if (d.short_name)
			fprintf(out, "\\-%c, ", d.short_name);
		fputs("\\-\\-", out);
		roff(out, d.name);
		if (d.arg != NULL) {
			fputs(" \" ", out);
			roff(out, d.arg);
		} else {
			fputc('"', out);
		}
		fputc('\n', out);
		roff(out, d.help);
		if (len > 0 && d.help[len - 1] != '.')
			fputc('.', out);
		if (d.choices != NULL) {
			fputs(" One of", out);
			for (unsigned int c = 0; d.choices[c] != NULL; c++) {
				fputs(c ? ", \\fB" : " \\fB", out);
				roff(out, d.choices[c]);
				fputs("\\fR", out);
			}
			fputc('.', out);
		}
		if (d.def != NULL && d.def[0]) {
			fputs(" Default: ", out);
			roff(out, d.def);
			fputc('.', out);
		}
		if (d.section != NULL) {
			fputs(" [", out);
			roff(out, d.section);
			fputc(']', out);
		}
		fputc('\n', out);
	}
	fputs(man_outro, out);
}

/* An option whose value is a file name. */
static bool
is_file(const struct config_opt_doc *d)
{
	return strcmp(d->arg, "FILE") == 0 || strcmp(d->name, "stats-json") == 0 ||
	       strcmp(d->name, "summary-json") == 0;
}

/* The bash completion: EAL options before "--", tcpe's after it, values where the table has them. */
static void
bash(FILE *out)
{
	struct config_opt_doc d;

	fprintf(out, "# bash completion for tcpe %s, generated at build time from its option table "
		"(app/doc.c)\n", TCPE_VERSION);
	fputs("_tcpe() {\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} i after=0\n"
	      "\tCOMPREPLY=()\n"
	      "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	      "\t\t[[ ${COMP_WORDS[i]} == -- ]] && after=1\n"
	      "\tdone\n"
	      "\tif ((!after)); then\n"
	      "\t\tcase $prev in\n"
	      "\t\t--vdev) COMPREPLY=($(compgen -W 'net_tap0,iface= net_memif0,role=server,socket= "
	      "net_memif0,role=client,socket=' -- \"$cur\")); compopt -o nospace; return ;;\n"
	      "\t\t-l|--lcores|-m|--file-prefix|--socket-mem|--log-level|-a|--allow|-n) return ;;\n"
	      "\t\tesac\n"
	      "\t\tCOMPREPLY=($(compgen -W '-- --help --version -l --lcores --vdev --no-pci "
	      "--no-huge -m --file-prefix --huge-unlink --in-memory --socket-mem --log-level -a "
	      "--allow' -- \"$cur\"))\n"
	      "\t\treturn\n"
	      "\tfi\n"
	      "\tcase $prev in\n", out);
	for (unsigned int i = 0; config_opt_doc(i, &d); i++) {	/* values from a closed list */
		if (d.arg == NULL || d.choices == NULL)
			continue;
		fprintf(out, "\t--%s) COMPREPLY=($(compgen -W '", d.name);
		for (unsigned int c = 0; d.choices[c] != NULL; c++)
			fprintf(out, "%s%s", c ? " " : "", d.choices[c]);
		fputs("' -- \"$cur\")); return ;;\n", out);
	}
	fputs("\t", out);		/* file names */
	for (unsigned int i = 0, n = 0; config_opt_doc(i, &d); i++) {
		if (d.arg == NULL || !is_file(&d))
			continue;
		if (d.short_name)
			fprintf(out, "%s-%c", n++ ? "|" : "", d.short_name);
		fprintf(out, "%s--%s", n++ ? "|" : "", d.name);
	}
	fputs(") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n\t", out);
	for (unsigned int i = 0, n = 0; config_opt_doc(i, &d); i++) {	/* free values */
		if (d.arg == NULL || d.choices != NULL || is_file(&d))
			continue;
		fprintf(out, "%s--%s", n++ ? "|" : "", d.name);
	}
	fputs(") return ;;\n\tesac\n\tCOMPREPLY=($(compgen -W '", out);
	for (unsigned int i = 0; config_opt_doc(i, &d); i++) {
		if (d.short_name)
			fprintf(out, "%s-%c", i ? " " : "", d.short_name);
		fprintf(out, "%s--%s", i || d.short_name ? " " : "", d.name);
	}
	fputs("' -- \"$cur\"))\n}\ncomplete -F _tcpe tcpe\n", out);
}

/** tcpe-doc man DATE FILE | bash FILE: write tcpe(8) or the bash completion. */
int
main(int argc, char **argv)
{
	FILE *out;

	if (argc < 3 || (strcmp(argv[1], "man") != 0 && strcmp(argv[1], "bash") != 0) ||
	    (strcmp(argv[1], "man") == 0 && argc != 4)) {
		fprintf(stderr, "usage: %s man DATE FILE | bash FILE\n", argv[0]);
		return 2;
	}
	out = fopen(argv[argc - 1], "w");
	if (out == NULL) {
		perror(argv[argc - 1]);
		return 1;
	}
	if (strcmp(argv[1], "man") == 0)
		man(out, argv[2]);
	else
		bash(out);
	return fclose(out) == 0 ? 0 : 1;
}

/*
 * policy_print.c: how "senderkey policy" prints rules (show, export,
 * explain): one rule as a line or a JSON object, a pin, a JSON string,
 * and the check that standard output took it all.
 */
#include <stdio.h>
#include <sysexits.h>

#include "lib/key.h"
#include "core/store.h"
#include "core/verdict.h"
#include "policy_print.h"

void
policy_print_pin(const unsigned char *pin, char out[KEY_FP_SIZE])
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < KEY_SHA256_LEN; i++) {
		out[3 * i] = hex[pin[i] >> 4];
		out[3 * i + 1] = hex[pin[i] & 15];
		out[3 * i + 2] = i + 1 < KEY_SHA256_LEN ? ':' : '\0';
	}
}

void
policy_print_json_str(const char *s)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static const char *
kind_name(const struct store_rule *r)
{
	if (r->kind == STORE_RULE_MODE)
		return "mode";
	return r->kind == STORE_RULE_ALLOW ? "allow" : "deny";
}

void
policy_print_rule(const struct store_rule *r, int json, int export, int first)
{
	char fp[KEY_FP_SIZE];

	if (r->has_pin)
		policy_print_pin(r->pin, fp);
	if (json) {
		printf("%s\n    {\"id\": \"%c%lld\", \"recipient\": ",
		    first ? "" : ",", r->kind == STORE_RULE_MODE ? 'm' : 'e',
		    (long long)r->id);
		policy_print_json_str(r->recipient);
		printf(", \"rule\": \"%s\"", kind_name(r));
		if (r->kind == STORE_RULE_MODE)
			printf(", \"mode\": \"%s\"", verdict_mode_name(r->mode));
		else {
			printf(", \"sender\": ");
			policy_print_json_str(r->sender);
			if (r->has_pin)
				printf(", \"pin\": \"%s\"", fp);
		}
		printf("}");
		return;
	}
	if (!export)
		printf("%c%-5lld ", r->kind == STORE_RULE_MODE ? 'm' : 'e',
		    (long long)r->id);
	if (r->kind == STORE_RULE_MODE)
		printf("%s mode %s\n", r->recipient, verdict_mode_name(r->mode));
	else
		printf("%s %s %s%s%s\n", r->recipient, kind_name(r), r->sender,
		    r->has_pin ? " pin " : "", r->has_pin ? fp : "");
}

int
policy_print_finish(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "senderkey: write error on standard output\n");
		return EX_IOERR;
	}
	return 0;
}

/*
 * hex: the value of one hexadecimal digit, for the decoders that read
 * %XX and =XX escapes (line protocol replies, DKIM-Quoted-Printable,
 * vCard quoted-printable).  Pure.
 */
#ifndef SK_HEX_H
#define SK_HEX_H

/* hex_digit: 0-15 for '0'-'9', 'a'-'f' and 'A'-'F'; -1 for anything else. */
int	hex_digit(int c);

#endif

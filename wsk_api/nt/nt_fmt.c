/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A printf engine with Windows semantics for 8-bit and 16-bit strings
 * (WCHAR is 16-bit here, libc's wchar_t functions are 32-bit, so none is
 * used), the ntstrsafe functions built on it, and DbgPrint.
 *
 * Windows rules: %s/%c take the caller's own width (narrow in A functions,
 * wide in W functions) and %S/%C the other one; h forces narrow, l and w
 * force wide; %Z prints a PANSI_STRING and %wZ a PUNICODE_STRING; l on an
 * integer is 32-bit (LONG), ll and I64 are 64-bit, I, z, t and j are
 * pointer-sized; %p prints 16 upper-case hex digits.
 */
#include <stdio.h>
#include <stdlib.h>

#include <ntstrsafe.h>

#include "nt_priv.h"

/* Output: Cap characters can be stored, Total counts what would have been. */
struct nt_out {
	void *Buf;
	BOOLEAN Wide;
	SIZE_T Cap;
	SIZE_T Len;
	SIZE_T Total;
};

static void nt_put(struct nt_out *o, ULONG c)
{
	if (o->Len < o->Cap) {
		if (o->Wide)
			((PWCH)o->Buf)[o->Len] = (WCHAR)c;
		else
			((PCHAR)o->Buf)[o->Len] = c <= 0xff ? (CHAR)c : '?';
		o->Len++;
	}
	o->Total++;
}

static void nt_pad(struct nt_out *o, ULONG c, LONG n)
{
	while (n-- > 0)
		nt_put(o, c);
}

/* One conversion specification. */
struct nt_spec {
	BOOLEAN Left, Plus, Space, Alt, Zero;
	LONG Width;
	LONG Precision; /* -1: none */
	int Size;       /* 0 int, 1 char, 2 short, 4 32-bit, 8 64-bit */
	int StrWidth;   /* 0 native, 1 narrow, 2 wide */
};

/* A string argument: 8-bit or 16-bit, counted or NUL-terminated. */
static void nt_put_str(struct nt_out *o, const struct nt_spec *sp, const void *s, BOOLEAN wide,
		       SIZE_T counted, BOOLEAN is_counted)
{
	SIZE_T n = 0, i;

	if (s == NULL) {
		s = "(null)";
		wide = FALSE;
		is_counted = FALSE;
	}
	if (is_counted)
		n = counted;
	else if (wide)
		while (((PCWCH)s)[n] != 0 && (sp->Precision < 0 || n < (SIZE_T)sp->Precision))
			n++;
	else
		while (((PCCH)s)[n] != 0 && (sp->Precision < 0 || n < (SIZE_T)sp->Precision))
			n++;
	if (sp->Precision >= 0 && n > (SIZE_T)sp->Precision)
		n = (SIZE_T)sp->Precision;
	if (!sp->Left)
		nt_pad(o, ' ', sp->Width - (LONG)n);
	for (i = 0; i < n; i++)
		nt_put(o, wide ? (ULONG)((PCWCH)s)[i] : (ULONG)(UCHAR)((PCCH)s)[i]);
	if (sp->Left)
		nt_pad(o, ' ', sp->Width - (LONG)n);
}

static void nt_put_int(struct nt_out *o, const struct nt_spec *sp, ULONG64 v, BOOLEAN neg,
		       ULONG base, BOOLEAN upper, BOOLEAN is_signed)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[66];
	const char *prefix = "";
	LONG n = 0, zeros, plen, width_left;
	char sign = 0;

	while (v != 0) {
		tmp[n++] = digits[v % base];
		v /= base;
	}
	if (sp->Precision < 0 && n == 0)
		tmp[n++] = '0';
	zeros = sp->Precision > n ? sp->Precision - n : 0;
	if (is_signed)
		sign = neg ? '-' : sp->Plus ? '+' : sp->Space ? ' ' : 0;
	if (sp->Alt && base == 16 && n > 0 && !(n == 1 && tmp[0] == '0'))
		prefix = upper ? "0X" : "0x";
	if (sp->Alt && base == 8 && zeros == 0 && (n == 0 || tmp[n - 1] != '0'))
		prefix = "0";
	plen = (LONG)strlen(prefix) + (sign ? 1 : 0);
	width_left = sp->Width - n - zeros - plen;
	if (sp->Zero && !sp->Left && sp->Precision < 0) {
		zeros += width_left > 0 ? width_left : 0;
		width_left = 0;
	}
	if (!sp->Left)
		nt_pad(o, ' ', width_left);
	if (sign)
		nt_put(o, (ULONG)sign);
	for (; *prefix; prefix++)
		nt_put(o, (ULONG)(UCHAR)*prefix);
	nt_pad(o, '0', zeros);
	while (n > 0)
		nt_put(o, (ULONG)(UCHAR)tmp[--n]);
	if (sp->Left)
		nt_pad(o, ' ', width_left);
}

static void nt_put_double(struct nt_out *o, const struct nt_spec *sp, double d, char conv)
{
	char spec[32], buf[512];
	int k = 0, i, n;

	spec[k++] = '%';
	if (sp->Left)
		spec[k++] = '-';
	if (sp->Plus)
		spec[k++] = '+';
	if (sp->Space)
		spec[k++] = ' ';
	if (sp->Alt)
		spec[k++] = '#';
	if (sp->Zero)
		spec[k++] = '0';
	k += snprintf(spec + k, sizeof(spec) - (size_t)k, "*.*%c", conv);
	n = snprintf(buf, sizeof(buf), spec, (int)sp->Width,
		     sp->Precision < 0 ? 6 : (int)sp->Precision, d);
	for (i = 0; i < n && i < (int)sizeof(buf) - 1; i++)
		nt_put(o, (ULONG)(UCHAR)buf[i]);
}

static ULONG nt_fmt_at(const void *fmt, BOOLEAN wide, SIZE_T i)
{
	return wide ? (ULONG)((PCWCH)fmt)[i] : (ULONG)(UCHAR)((PCCH)fmt)[i];
}

/* Parses flags, width, precision and size after '%'; returns the conversion character. */
static ULONG nt_parse_spec(const void *fmt, BOOLEAN wide, SIZE_T *pi, struct nt_spec *sp,
			   va_list *ap)
{
	SIZE_T i = *pi;
	ULONG c;

	memset(sp, 0, sizeof(*sp));
	sp->Precision = -1;
	for (;; i++) {
		c = nt_fmt_at(fmt, wide, i);
		if (c == '-')
			sp->Left = TRUE;
		else if (c == '+')
			sp->Plus = TRUE;
		else if (c == ' ')
			sp->Space = TRUE;
		else if (c == '#')
			sp->Alt = TRUE;
		else if (c == '0')
			sp->Zero = TRUE;
		else
			break;
	}
	if (nt_fmt_at(fmt, wide, i) == '*') {
		sp->Width = va_arg(*ap, int);
		if (sp->Width < 0) {
			sp->Left = TRUE;
			sp->Width = -sp->Width;
		}
		i++;
	}
	while ((c = nt_fmt_at(fmt, wide, i)) >= '0' && c <= '9' && sp->Width < 100000)
		sp->Width = sp->Width * 10 + (LONG)(c - '0'), i++;
	if (nt_fmt_at(fmt, wide, i) == '.') {
		i++;
		sp->Precision = 0;
		if (nt_fmt_at(fmt, wide, i) == '*') {
			sp->Precision = va_arg(*ap, int);
			if (sp->Precision < 0)
				sp->Precision = -1;
			i++;
		}
		while ((c = nt_fmt_at(fmt, wide, i)) >= '0' && c <= '9' && sp->Precision < 100000)
			sp->Precision = sp->Precision * 10 + (LONG)(c - '0'), i++;
	}
	for (;;) {
		c = nt_fmt_at(fmt, wide, i);
		if (c == 'h') {
			sp->Size = sp->Size == 2 ? 1 : 2;
			sp->StrWidth = 1;
		} else if (c == 'l') {
			sp->Size = sp->Size == 4 ? 8 : 4; /* l: LONG (32-bit), ll: 64-bit */
			sp->StrWidth = 2;
		} else if (c == 'w') {
			sp->StrWidth = 2;
		} else if (c == 'L' || c == 'q' || c == 'j') {
			sp->Size = 8;
		} else if (c == 'z' || c == 't') {
			sp->Size = 8;
		} else if (c == 'I') {
			if (nt_fmt_at(fmt, wide, i + 1) == '6' && nt_fmt_at(fmt, wide, i + 2) == '4')
				sp->Size = 8, i += 2;
			else if (nt_fmt_at(fmt, wide, i + 1) == '3' && nt_fmt_at(fmt, wide, i + 2) == '2')
				sp->Size = 4, i += 2;
			else
				sp->Size = 8;
		} else {
			break;
		}
		i++;
	}
	*pi = i + 1;
	return c;
}

static void nt_conv_int(struct nt_out *o, const struct nt_spec *sp, ULONG c, va_list *ap)
{
	BOOLEAN is_signed = c == 'd' || c == 'i';
	ULONG base = c == 'o' ? 8 : (c == 'x' || c == 'X') ? 16 : 10;
	ULONG64 u;
	LONG64 s;

	if (sp->Size == 8) {
		u = va_arg(*ap, ULONG64);
		s = (LONG64)u;
	} else {
		u = va_arg(*ap, unsigned int);
		if (sp->Size == 2)
			u &= 0xffff;
		else if (sp->Size == 1)
			u &= 0xff;
		s = sp->Size == 2 ? (SHORT)u : sp->Size == 1 ? (CHAR)u : (LONG)(ULONG)u;
	}
	if (is_signed)
		nt_put_int(o, sp, s < 0 ? 0 - (ULONG64)s : (ULONG64)s, s < 0, 10, FALSE, TRUE);
	else
		nt_put_int(o, sp, u, FALSE, base, c == 'X', FALSE);
}

static void nt_conv_string(struct nt_out *o, struct nt_spec *sp, ULONG c, BOOLEAN native_wide,
			   va_list *ap)
{
	BOOLEAN wide = sp->StrWidth == 2 ? TRUE : sp->StrWidth == 1 ? FALSE : native_wide;

	if (sp->StrWidth == 0 && (c == 'S' || c == 'C'))
		wide = !native_wide;
	if (c == 'c' || c == 'C') {
		WCHAR ch = (WCHAR)va_arg(*ap, int);
		CHAR nch = (CHAR)ch;

		sp->Precision = -1;
		if (wide)
			nt_put_str(o, sp, &ch, TRUE, 1, TRUE);
		else
			nt_put_str(o, sp, &nch, FALSE, 1, TRUE);
	} else if (c == 'Z') {
		if (sp->StrWidth == 2) {
			PCUNICODE_STRING us = va_arg(*ap, PCUNICODE_STRING);

			nt_put_str(o, sp, us ? (const void *)us->Buffer : NULL, TRUE,
				   us ? us->Length / sizeof(WCHAR) : 0, us != NULL);
		} else {
			PCANSI_STRING as = va_arg(*ap, PCANSI_STRING);

			nt_put_str(o, sp, as ? (const void *)as->Buffer : NULL, FALSE,
				   as ? as->Length : 0, as != NULL);
		}
	} else {
		nt_put_str(o, sp, va_arg(*ap, const void *), wide, 0, FALSE);
	}
}

/* Formats fmt (8-bit or 16-bit) into o. */
static void nt_vformat(struct nt_out *o, const void *fmt, BOOLEAN wide, va_list args)
{
	SIZE_T i = 0;
	va_list ap;
	ULONG c;

	va_copy(ap, args);
	while ((c = nt_fmt_at(fmt, wide, i)) != 0) {
		struct nt_spec sp;
		SIZE_T start = i;

		if (c != '%') {
			nt_put(o, c);
			i++;
			continue;
		}
		i++;
		c = nt_parse_spec(fmt, wide, &i, &sp, &ap);
		switch (c) {
		case '%':
			nt_put(o, '%');
			break;
		case 'd': case 'i': case 'u': case 'x': case 'X': case 'o':
			nt_conv_int(o, &sp, c, &ap);
			break;
		case 'p':
			sp.Precision = 16;
			sp.Size = 8;
			nt_put_int(o, &sp, (ULONG64)(ULONG_PTR)va_arg(ap, void *), FALSE, 16, TRUE, FALSE);
			break;
		case 's': case 'S': case 'c': case 'C': case 'Z':
			nt_conv_string(o, &sp, c, wide, &ap);
			break;
		case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': case 'a': case 'A':
			nt_put_double(o, &sp, va_arg(ap, double), (char)c);
			break;
		case 'n':
			(void)va_arg(ap, void *); /* never written: a classic attack vector */
			break;
		case 0:
			i--; /* '%' at the end: print it */
			/* fall through */
		default:
			for (; start < i; start++)
				nt_put(o, nt_fmt_at(fmt, wide, start));
			break;
		}
	}
	va_end(ap);
}

/* ---- ntstrsafe ---------------------------------------------------------------------------- */

static NTSTATUS nt_printf(void *dst, SIZE_T cch, BOOLEAN wide, const void *fmt, va_list ap)
{
	struct nt_out o = { dst, wide, 0, 0, 0 };

	if (cch == 0 || cch > NTSTRSAFE_MAX_CCH || dst == NULL || fmt == NULL) {
		if (cch > 0 && cch <= NTSTRSAFE_MAX_CCH && dst != NULL) {
			if (wide)
				((PWCH)dst)[0] = 0;
			else
				((PCHAR)dst)[0] = 0;
		}
		return STATUS_INVALID_PARAMETER;
	}
	o.Cap = cch - 1;
	nt_vformat(&o, fmt, wide, ap);
	if (wide)
		((PWCH)dst)[o.Len] = 0;
	else
		((PCHAR)dst)[o.Len] = 0;
	return o.Total > o.Cap ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

NTSTATUS RtlStringCchVPrintfA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszFormat,
			      va_list argList)
{
	return nt_printf(pszDest, cchDest, FALSE, pszFormat, argList);
}

NTSTATUS RtlStringCbVPrintfA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszFormat,
			     va_list argList)
{
	return nt_printf(pszDest, cbDest, FALSE, pszFormat, argList);
}

NTSTATUS RtlStringCchVPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszFormat,
			      va_list argList)
{
	return nt_printf(pszDest, cchDest, TRUE, pszFormat, argList);
}

NTSTATUS RtlStringCbVPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszFormat,
			     va_list argList)
{
	return nt_printf(pszDest, cbDest / sizeof(WCHAR), TRUE, pszFormat, argList);
}

#define NT_VA_WRAP(call) do { \
	va_list ap; \
	NTSTATUS st; \
	va_start(ap, pszFormat); \
	st = call; \
	va_end(ap); \
	return st; \
} while (0)

NTSTATUS RtlStringCchPrintfA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszFormat, ...)
{
	NT_VA_WRAP(nt_printf(pszDest, cchDest, FALSE, pszFormat, ap));
}

NTSTATUS RtlStringCbPrintfA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszFormat, ...)
{
	NT_VA_WRAP(nt_printf(pszDest, cbDest, FALSE, pszFormat, ap));
}

NTSTATUS RtlStringCchPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszFormat, ...)
{
	NT_VA_WRAP(nt_printf(pszDest, cchDest, TRUE, pszFormat, ap));
}

NTSTATUS RtlStringCbPrintfW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszFormat, ...)
{
	NT_VA_WRAP(nt_printf(pszDest, cbDest / sizeof(WCHAR), TRUE, pszFormat, ap));
}

static BOOLEAN nt_ustr_valid(PCUNICODE_STRING s)
{
	return s != NULL && (s->Length & 1) == 0 && (s->MaximumLength & 1) == 0 &&
	       s->Length <= s->MaximumLength && (s->Buffer != NULL || s->MaximumLength == 0);
}

NTSTATUS RtlUnicodeStringVPrintf(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszFormat,
				 va_list argList)
{
	struct nt_out o;

	if (!nt_ustr_valid(DestinationString) || pszFormat == NULL)
		return STATUS_INVALID_PARAMETER;
	o.Buf = DestinationString->Buffer;
	o.Wide = TRUE;
	o.Cap = DestinationString->MaximumLength / sizeof(WCHAR);
	o.Len = o.Total = 0;
	nt_vformat(&o, pszFormat, TRUE, argList);
	DestinationString->Length = (USHORT)(o.Len * sizeof(WCHAR));
	return o.Total > o.Cap ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

NTSTATUS RtlUnicodeStringPrintf(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszFormat, ...)
{
	NT_VA_WRAP(RtlUnicodeStringVPrintf(DestinationString, pszFormat, ap));
}

/* Copies up to max_src characters of src after dst[start]; always NUL-terminates. */
static NTSTATUS nt_copy(void *dst, SIZE_T cch, SIZE_T start, BOOLEAN wide, const void *src,
			SIZE_T max_src)
{
	SIZE_T i;

	for (i = 0; i < max_src; i++) {
		ULONG c = wide ? ((PCWCH)src)[i] : (UCHAR)((PCCH)src)[i];

		if (c == 0)
			break;
		if (start + i + 1 >= cch) {
			if (wide)
				((PWCH)dst)[start + i] = 0;
			else
				((PCHAR)dst)[start + i] = 0;
			return STATUS_BUFFER_OVERFLOW;
		}
		if (wide)
			((PWCH)dst)[start + i] = (WCHAR)c;
		else
			((PCHAR)dst)[start + i] = (CHAR)c;
	}
	if (wide)
		((PWCH)dst)[start + i] = 0;
	else
		((PCHAR)dst)[start + i] = 0;
	return STATUS_SUCCESS;
}

static BOOLEAN nt_cch_ok(const void *dst, SIZE_T cch)
{
	return dst != NULL && cch != 0 && cch <= NTSTRSAFE_MAX_CCH;
}

NTSTATUS RtlStringCchCopyNA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc,
			    size_t cchToCopy)
{
	if (!nt_cch_ok(pszDest, cchDest) || cchToCopy > NTSTRSAFE_MAX_LENGTH || pszSrc == NULL) {
		if (nt_cch_ok(pszDest, cchDest))
			pszDest[0] = 0;
		return STATUS_INVALID_PARAMETER;
	}
	return nt_copy(pszDest, cchDest, 0, FALSE, pszSrc, cchToCopy);
}

NTSTATUS RtlStringCchCopyNW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc,
			    size_t cchToCopy)
{
	if (!nt_cch_ok(pszDest, cchDest) || cchToCopy > NTSTRSAFE_MAX_LENGTH || pszSrc == NULL) {
		if (nt_cch_ok(pszDest, cchDest))
			pszDest[0] = 0;
		return STATUS_INVALID_PARAMETER;
	}
	return nt_copy(pszDest, cchDest, 0, TRUE, pszSrc, cchToCopy);
}

NTSTATUS RtlStringCchCopyA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc)
{
	return RtlStringCchCopyNA(pszDest, cchDest, pszSrc, NTSTRSAFE_MAX_LENGTH);
}

NTSTATUS RtlStringCbCopyA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc)
{
	return RtlStringCchCopyA(pszDest, cbDest, pszSrc);
}

NTSTATUS RtlStringCchCopyW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc)
{
	return RtlStringCchCopyNW(pszDest, cchDest, pszSrc, NTSTRSAFE_MAX_LENGTH);
}

NTSTATUS RtlStringCbCopyW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc)
{
	return RtlStringCchCopyW(pszDest, cbDest / sizeof(WCHAR), pszSrc);
}

NTSTATUS RtlStringCchLengthA(NTSTRSAFE_PCSTR psz, size_t cchMax, size_t *pcchLength)
{
	size_t n = 0;

	if (psz != NULL && cchMax <= NTSTRSAFE_MAX_CCH)
		while (n < cchMax && psz[n] != 0)
			n++;
	if (psz == NULL || cchMax > NTSTRSAFE_MAX_CCH || n == cchMax) {
		if (pcchLength != NULL)
			*pcchLength = 0;
		return STATUS_INVALID_PARAMETER;
	}
	if (pcchLength != NULL)
		*pcchLength = n;
	return STATUS_SUCCESS;
}

NTSTATUS RtlStringCbLengthA(NTSTRSAFE_PCSTR psz, size_t cbMax, size_t *pcbLength)
{
	return RtlStringCchLengthA(psz, cbMax, pcbLength);
}

NTSTATUS RtlStringCchLengthW(NTSTRSAFE_PCWSTR psz, size_t cchMax, size_t *pcchLength)
{
	size_t n = 0;

	if (psz != NULL && cchMax <= NTSTRSAFE_MAX_CCH)
		while (n < cchMax && psz[n] != 0)
			n++;
	if (psz == NULL || cchMax > NTSTRSAFE_MAX_CCH || n == cchMax) {
		if (pcchLength != NULL)
			*pcchLength = 0;
		return STATUS_INVALID_PARAMETER;
	}
	if (pcchLength != NULL)
		*pcchLength = n;
	return STATUS_SUCCESS;
}

NTSTATUS RtlStringCbLengthW(NTSTRSAFE_PCWSTR psz, size_t cbMax, size_t *pcbLength)
{
	size_t cch;
	NTSTATUS st = RtlStringCchLengthW(psz, cbMax / sizeof(WCHAR), &cch);

	if (pcbLength != NULL)
		*pcbLength = NT_SUCCESS(st) ? cch * sizeof(WCHAR) : 0;
	return st;
}

NTSTATUS RtlStringCchCatA(NTSTRSAFE_PSTR pszDest, size_t cchDest, NTSTRSAFE_PCSTR pszSrc)
{
	size_t len;

	if (!nt_cch_ok(pszDest, cchDest) || pszSrc == NULL ||
	    !NT_SUCCESS(RtlStringCchLengthA(pszDest, cchDest, &len)))
		return STATUS_INVALID_PARAMETER;
	return nt_copy(pszDest, cchDest, len, FALSE, pszSrc, NTSTRSAFE_MAX_LENGTH);
}

NTSTATUS RtlStringCbCatA(NTSTRSAFE_PSTR pszDest, size_t cbDest, NTSTRSAFE_PCSTR pszSrc)
{
	return RtlStringCchCatA(pszDest, cbDest, pszSrc);
}

NTSTATUS RtlStringCchCatW(NTSTRSAFE_PWSTR pszDest, size_t cchDest, NTSTRSAFE_PCWSTR pszSrc)
{
	size_t len;

	if (!nt_cch_ok(pszDest, cchDest) || pszSrc == NULL ||
	    !NT_SUCCESS(RtlStringCchLengthW(pszDest, cchDest, &len)))
		return STATUS_INVALID_PARAMETER;
	return nt_copy(pszDest, cchDest, len, TRUE, pszSrc, NTSTRSAFE_MAX_LENGTH);
}

NTSTATUS RtlStringCbCatW(NTSTRSAFE_PWSTR pszDest, size_t cbDest, NTSTRSAFE_PCWSTR pszSrc)
{
	return RtlStringCchCatW(pszDest, cbDest / sizeof(WCHAR), pszSrc);
}

static NTSTATUS nt_ustr_put(PUNICODE_STRING d, SIZE_T at, PCWCH src, SIZE_T n)
{
	SIZE_T cap = d->MaximumLength / sizeof(WCHAR);
	SIZE_T fit = at + n > cap ? cap - at : n;

	memmove(d->Buffer + at, src, fit * sizeof(WCHAR));
	d->Length = (USHORT)((at + fit) * sizeof(WCHAR));
	return fit < n ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

NTSTATUS RtlUnicodeStringCopy(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
	if (!nt_ustr_valid(DestinationString) || !nt_ustr_valid(SourceString))
		return STATUS_INVALID_PARAMETER;
	return nt_ustr_put(DestinationString, 0, SourceString->Buffer,
			   SourceString->Length / sizeof(WCHAR));
}

NTSTATUS RtlUnicodeStringCat(PUNICODE_STRING DestinationString, PCUNICODE_STRING SourceString)
{
	if (!nt_ustr_valid(DestinationString) || !nt_ustr_valid(SourceString))
		return STATUS_INVALID_PARAMETER;
	return nt_ustr_put(DestinationString, DestinationString->Length / sizeof(WCHAR),
			   SourceString->Buffer, SourceString->Length / sizeof(WCHAR));
}

NTSTATUS RtlUnicodeStringCopyString(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc)
{
	size_t n;

	if (!nt_ustr_valid(DestinationString) ||
	    !NT_SUCCESS(RtlStringCchLengthW(pszSrc, NTSTRSAFE_UNICODE_STRING_MAX_CCH, &n)))
		return STATUS_INVALID_PARAMETER;
	return nt_ustr_put(DestinationString, 0, pszSrc, n);
}

NTSTATUS RtlUnicodeStringCatString(PUNICODE_STRING DestinationString, NTSTRSAFE_PCWSTR pszSrc)
{
	size_t n;

	if (!nt_ustr_valid(DestinationString) ||
	    !NT_SUCCESS(RtlStringCchLengthW(pszSrc, NTSTRSAFE_UNICODE_STRING_MAX_CCH, &n)))
		return STATUS_INVALID_PARAMETER;
	return nt_ustr_put(DestinationString, DestinationString->Length / sizeof(WCHAR), pszSrc, n);
}

/* ---- DbgPrint -------------------------------------------------------------------------------- */

static BOOLEAN nt_dbgprint_enabled(void)
{
	static int enabled = -1;

	if (enabled < 0) {
		const char *e = getenv("WSKSTACK_DBGPRINT");

		enabled = !(e != NULL && e[0] == '0');
	}
	return enabled != 0;
}

ULONG vDbgPrintExWithPrefix(PCCH Prefix, ULONG ComponentId, ULONG Level, PCCH Format,
			    va_list arglist)
{
	char buf[2048];
	struct nt_out o = { buf, FALSE, sizeof(buf) - 1, 0, 0 };

	(void)ComponentId;
	(void)Level;
	if (!nt_dbgprint_enabled() || Format == NULL)
		return STATUS_SUCCESS;
	if (Prefix != NULL)
		nt_put_str(&o, &(struct nt_spec){ .Precision = -1 }, Prefix, FALSE, 0, FALSE);
	nt_vformat(&o, Format, FALSE, arglist);
	fwrite(buf, 1, o.Len, stderr);
	return STATUS_SUCCESS;
}

ULONG vDbgPrintEx(ULONG ComponentId, ULONG Level, PCCH Format, va_list arglist)
{
	return vDbgPrintExWithPrefix(NULL, ComponentId, Level, Format, arglist);
}

ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
	va_list ap;
	ULONG r;

	va_start(ap, Format);
	r = vDbgPrintEx(ComponentId, Level, Format, ap);
	va_end(ap);
	return r;
}

ULONG DbgPrint(PCSTR Format, ...)
{
	va_list ap;
	ULONG r;

	va_start(ap, Format);
	r = vDbgPrintEx(DPFLTR_DEFAULT_ID, DPFLTR_ERROR_LEVEL, Format, ap);
	va_end(ap);
	return r;
}

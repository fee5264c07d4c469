/* truth: d-language.md 3.2, FreeBSD dt_consume.c: quiet trace() prints by record size, 1- and
 * 2-byte records through uint8_t/uint16_t (255, 65535), 4-byte ones through %d (-1 even
 * for uint32_t), 8-byte ones with %lld (-1 even for uint64_t). */
#pragma D option quiet
BEGIN
{
	trace((int8_t)-1); printf(" ");
	trace((int16_t)-1); printf(" ");
	trace((int32_t)-1); printf(" ");
	trace((uint32_t)-1); printf(" ");
	trace(-1ll); printf(" ");
	trace(~0ull); printf(" ");
	trace("str");
	printf("\n");
	exit(0);
}

/* muldiv.c — the M extension: every instruction, with signed/unsigned mixes,
 * the high halves (mulh/mulhsu/mulhu), division by zero (quotient all ones,
 * remainder = dividend) and signed overflow (INT_MIN / -1 = INT_MIN, rem 0).
 * Expected values from the RISC-V unprivileged spec, ch. 7 (table 7.1). */
#include "guest.h"

enum op { MUL, MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU };
static const char *const names[] = { "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu" };

struct vec { enum op op; uint32_t a, b, want; };
static const struct vec vecs[] = {
  { MUL, 0x00000003, 0xfffffffc, 0xfffffff4 },
  { MUL, 0x80000000, 0xffffffff, 0x80000000 },
  { MUL, 0xffffffff, 0xffffffff, 0x00000001 },
  { MUL, 0x80000000, 0x80000000, 0x00000000 },
  { MUL, 0x7fffffff, 0x7fffffff, 0x00000001 },
  { MUL, 0xffffffff, 0x00000001, 0xffffffff },
  { MUL, 0x12345678, 0x9abcdef0, 0x242d2080 },
  { MUL, 0x00000000, 0xdeadbeef, 0x00000000 },
  { MUL, 0xfffffffc, 0x00000003, 0xfffffff4 },
  { MULH, 0x00000003, 0xfffffffc, 0xffffffff },
  { MULH, 0x80000000, 0xffffffff, 0x00000000 },
  { MULH, 0xffffffff, 0xffffffff, 0x00000000 },
  { MULH, 0x80000000, 0x80000000, 0x40000000 },
  { MULH, 0x7fffffff, 0x7fffffff, 0x3fffffff },
  { MULH, 0xffffffff, 0x00000001, 0xffffffff },
  { MULH, 0x12345678, 0x9abcdef0, 0xf8cc93d6 },
  { MULH, 0x00000000, 0xdeadbeef, 0x00000000 },
  { MULH, 0xfffffffc, 0x00000003, 0xffffffff },
  { MULHSU, 0x00000003, 0xfffffffc, 0x00000002 },
  { MULHSU, 0x80000000, 0xffffffff, 0x80000000 },
  { MULHSU, 0xffffffff, 0xffffffff, 0xffffffff },
  { MULHSU, 0x80000000, 0x80000000, 0xc0000000 },
  { MULHSU, 0x7fffffff, 0x7fffffff, 0x3fffffff },
  { MULHSU, 0xffffffff, 0x00000001, 0xffffffff },
  { MULHSU, 0x12345678, 0x9abcdef0, 0x0b00ea4e },
  { MULHSU, 0x00000000, 0xdeadbeef, 0x00000000 },
  { MULHSU, 0xfffffffc, 0x00000003, 0xffffffff },
  { MULHU, 0x00000003, 0xfffffffc, 0x00000002 },
  { MULHU, 0x80000000, 0xffffffff, 0x7fffffff },
  { MULHU, 0xffffffff, 0xffffffff, 0xfffffffe },
  { MULHU, 0x80000000, 0x80000000, 0x40000000 },
  { MULHU, 0x7fffffff, 0x7fffffff, 0x3fffffff },
  { MULHU, 0xffffffff, 0x00000001, 0x00000000 },
  { MULHU, 0x12345678, 0x9abcdef0, 0x0b00ea4e },
  { MULHU, 0x00000000, 0xdeadbeef, 0x00000000 },
  { MULHU, 0xfffffffc, 0x00000003, 0x00000002 },
  { DIV, 0x00000007, 0x00000002, 0x00000003 },
  { DIV, 0xfffffff9, 0x00000002, 0xfffffffd },
  { DIV, 0x00000007, 0xfffffffe, 0xfffffffd },
  { DIV, 0xfffffff9, 0xfffffffe, 0x00000003 },
  { DIV, 0x80000000, 0xffffffff, 0x80000000 },
  { DIV, 0x12345678, 0x00000000, 0xffffffff },
  { DIV, 0x80000000, 0x00000000, 0xffffffff },
  { DIV, 0x00000000, 0x00000000, 0xffffffff },
  { DIV, 0xffffffff, 0xffffffff, 0x00000001 },
  { DIV, 0x80000000, 0x00000001, 0x80000000 },
  { DIV, 0x00000005, 0x00000007, 0x00000000 },
  { DIV, 0xffffffff, 0x00000000, 0xffffffff },
  { DIVU, 0x00000007, 0x00000002, 0x00000003 },
  { DIVU, 0xfffffff9, 0x00000002, 0x7ffffffc },
  { DIVU, 0x00000007, 0xfffffffe, 0x00000000 },
  { DIVU, 0xfffffff9, 0xfffffffe, 0x00000000 },
  { DIVU, 0x80000000, 0xffffffff, 0x00000000 },
  { DIVU, 0x12345678, 0x00000000, 0xffffffff },
  { DIVU, 0x80000000, 0x00000000, 0xffffffff },
  { DIVU, 0x00000000, 0x00000000, 0xffffffff },
  { DIVU, 0xffffffff, 0xffffffff, 0x00000001 },
  { DIVU, 0x80000000, 0x00000001, 0x80000000 },
  { DIVU, 0x00000005, 0x00000007, 0x00000000 },
  { DIVU, 0xffffffff, 0x00000000, 0xffffffff },
  { REM, 0x00000007, 0x00000002, 0x00000001 },
  { REM, 0xfffffff9, 0x00000002, 0xffffffff },
  { REM, 0x00000007, 0xfffffffe, 0x00000001 },
  { REM, 0xfffffff9, 0xfffffffe, 0xffffffff },
  { REM, 0x80000000, 0xffffffff, 0x00000000 },
  { REM, 0x12345678, 0x00000000, 0x12345678 },
  { REM, 0x80000000, 0x00000000, 0x80000000 },
  { REM, 0x00000000, 0x00000000, 0x00000000 },
  { REM, 0xffffffff, 0xffffffff, 0x00000000 },
  { REM, 0x80000000, 0x00000001, 0x00000000 },
  { REM, 0x00000005, 0x00000007, 0x00000005 },
  { REM, 0xffffffff, 0x00000000, 0xffffffff },
  { REMU, 0x00000007, 0x00000002, 0x00000001 },
  { REMU, 0xfffffff9, 0x00000002, 0x00000001 },
  { REMU, 0x00000007, 0xfffffffe, 0x00000007 },
  { REMU, 0xfffffff9, 0xfffffffe, 0xfffffff9 },
  { REMU, 0x80000000, 0xffffffff, 0x80000000 },
  { REMU, 0x12345678, 0x00000000, 0x12345678 },
  { REMU, 0x80000000, 0x00000000, 0x80000000 },
  { REMU, 0x00000000, 0x00000000, 0x00000000 },
  { REMU, 0xffffffff, 0xffffffff, 0x00000000 },
  { REMU, 0x80000000, 0x00000001, 0x00000000 },
  { REMU, 0x00000005, 0x00000007, 0x00000005 },
  { REMU, 0xffffffff, 0x00000000, 0xffffffff },
};

/* One asm statement per instruction, so the compiler cannot fold anything. */
static uint32_t exec(enum op op, uint32_t a, uint32_t b) {
  uint32_t r;
  switch (op) {
    case MUL: __asm__ volatile("mul %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r;
    case MULH: __asm__ volatile("mulh %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r;
    case MULHSU: __asm__ volatile("mulhsu %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r;
    case MULHU: __asm__ volatile("mulhu %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r;
    case DIV: __asm__ volatile("div %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r;
    case DIVU: __asm__ volatile("divu %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r;
    case REM: __asm__ volatile("rem %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r;
    case REMU: __asm__ volatile("remu %0, %1, %2" : "=r"(r) : "r"(a), "r"(b)); return r;
  }
  return 0;
}

int main(void) {
  char what[64];
  printf("== muldiv ==\n");
  for (unsigned i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
    const struct vec *v = &vecs[i];
    /* "mulhsu 0x80000000, 0xffffffff" */
    char *p = what;
    for (const char *s = names[v->op]; *s; s++) *p++ = *s;
    *p++ = ' ';
    for (int k = 0; k < 2; k++) {
      uint32_t x = k ? v->b : v->a;
      *p++ = '0'; *p++ = 'x';
      for (int sh = 28; sh >= 0; sh -= 4) *p++ = "0123456789abcdef"[(x >> sh) & 15];
      if (!k) { *p++ = ','; *p++ = ' '; }
    }
    *p = 0;
    check(what, exec(v->op, v->a, v->b), v->want);
  }
  /* rd = x0 must stay zero; rd aliasing a source must use the old value. */
  uint32_t z, x = 7;
  __asm__ volatile("mul x0, %1, %1; mv %0, x0" : "=r"(z) : "r"(x));
  check("mul x0 is discarded", z, 0);
  __asm__ volatile("mul %0, %0, %0" : "+r"(x));
  check("mul rd=rs1=rs2 (7*7)", x, 49);
  x = 100;
  __asm__ volatile("div %0, %0, %1" : "+r"(x) : "r"(7));
  check("div rd=rs1 (100/7)", x, 14);
  return report("muldiv");
}

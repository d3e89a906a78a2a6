/* alu.c — RV32I integer computation: every register-register and
 * register-immediate ALU instruction, shifts by 0, 31 and by register amounts
 * of 32 and more (only the low 5 bits count), set-less-than at the signed and
 * unsigned boundaries, lui/auipc, writes to x0, and the FENCE family
 * (fence, fence.tso, the pause hint) as no-ops. */
#include "guest.h"

#define RR(op, a, b) ({ uint32_t r_; __asm__ volatile(op " %0, %1, %2" : "=r"(r_) : "r"((uint32_t)(a)), "r"((uint32_t)(b))); r_; })
#define RI(op, a, imm) ({ uint32_t r_; __asm__ volatile(op " %0, %1, %2" : "=r"(r_) : "r"((uint32_t)(a)), "i"(imm)); r_; })

int main(void) {
  printf("== alu ==\n");
  check("add 3, 4", RR("add", 3, 4), 7);
  check("add 0x7fffffff, 1 (signed overflow wraps)", RR("add", 0x7fffffff, 1), 0x80000000);
  check("add 0xffffffff, 1", RR("add", 0xffffffff, 1), 0);
  check("sub 0, 1", RR("sub", 0, 1), 0xffffffff);
  check("sub 0x80000000, 1", RR("sub", 0x80000000, 1), 0x7fffffff);
  check("and", RR("and", 0xff00ff00, 0x0ff00ff0), 0x0f000f00);
  check("or", RR("or", 0xff00ff00, 0x0ff00ff0), 0xfff0fff0);
  check("xor", RR("xor", 0xff00ff00, 0x0ff00ff0), 0xf0f0f0f0);
  check("slt -1, 1", RR("slt", 0xffffffff, 1), 1);
  check("slt 1, -1", RR("slt", 1, 0xffffffff), 0);
  check("slt 0x80000000, 0x7fffffff", RR("slt", 0x80000000, 0x7fffffff), 1);
  check("slt 5, 5", RR("slt", 5, 5), 0);
  check("sltu 1, 0xffffffff", RR("sltu", 1, 0xffffffff), 1);
  check("sltu 0xffffffff, 1", RR("sltu", 0xffffffff, 1), 0);
  check("sltu 0, x (snez)", RR("sltu", 0, 9), 1);
  check("sll 1, 31", RR("sll", 1, 31), 0x80000000);
  check("sll 1, 32 (amount & 31 = 0)", RR("sll", 1, 32), 1);
  check("sll 1, 33", RR("sll", 1, 33), 2);
  check("sll 1, 0xffffffff", RR("sll", 1, 0xffffffff), 0x80000000);
  check("srl 0x80000000, 31", RR("srl", 0x80000000, 31), 1);
  check("srl 0x80000000, 32", RR("srl", 0x80000000, 32), 0x80000000);
  check("srl 0x80000000, 36", RR("srl", 0x80000000, 36), 0x08000000);
  check("sra 0x80000000, 31", RR("sra", 0x80000000, 31), 0xffffffff);
  check("sra 0x80000000, 0xffffffe4", RR("sra", 0x80000000, 0xffffffe4), 0xf8000000);
  check("sra 0x40000000, 30", RR("sra", 0x40000000, 30), 1);
  check("sra 0x80000000, 64", RR("sra", 0x80000000, 64), 0x80000000);

  check("addi -2048", RI("addi", 0, -2048), 0xfffff800);
  check("addi 2047", RI("addi", 1, 2047), 0x800);
  check("addi 0x7fffffff, 1", RI("addi", 0x7fffffff, 1), 0x80000000);
  check("slti -1 < 0", RI("slti", 0xffffffff, 0), 1);
  check("slti 0 < -1", RI("slti", 0, -1), 0);
  check("sltiu 0 < 1 (seqz)", RI("sltiu", 0, 1), 1);
  check("sltiu 5 < -1 (imm is 0xffffffff)", RI("sltiu", 5, -1), 1);
  check("sltiu 0xffffffff < -1", RI("sltiu", 0xffffffff, -1), 0);
  check("xori -1 (not)", RI("xori", 0x12345678, -1), 0xedcba987);
  check("ori -2048", RI("ori", 0x12, -2048), 0xfffff812);
  check("andi 0x7ff", RI("andi", 0xffffffff, 0x7ff), 0x7ff);
  check("andi -16", RI("andi", 0x12345678, -16), 0x12345670);
  check("slli 0", RI("slli", 0x12345678, 0), 0x12345678);
  check("slli 31", RI("slli", 3, 31), 0x80000000);
  check("srli 31", RI("srli", 0xffffffff, 31), 1);
  check("srai 31", RI("srai", 0x80000000, 31), 0xffffffff);
  check("srai 4", RI("srai", 0x7ffffff0, 4), 0x07ffffff);

  uint32_t v, w;
  __asm__ volatile("lui %0, 0xfffff" : "=r"(v));
  check("lui 0xfffff", v, 0xfffff000);
  __asm__ volatile("lui %0, 0x80000" : "=r"(v));
  check("lui 0x80000", v, 0x80000000);
  __asm__ volatile("lui %0, 0" : "=r"(v));
  check("lui 0", v, 0);
  __asm__ volatile("1: auipc %0, 0\n\tla %1, 1b" : "=r"(v), "=r"(w));
  check("auipc 0 = its own pc", v - w, 0);
  __asm__ volatile("1: auipc %0, 1\n\tla %1, 1b" : "=r"(v), "=r"(w));
  check("auipc 1 = pc + 0x1000", v - w, 0x1000);
  __asm__ volatile("1: auipc %0, 0xfffff\n\tla %1, 1b" : "=r"(v), "=r"(w));
  check("auipc 0xfffff = pc - 0x1000", v - w, 0xfffff000);

  __asm__ volatile("li t0, 5\n\taddi x0, t0, 1\n\tlui x0, 1\n\tadd x0, t0, t0\n\tmv %0, x0" : "=r"(v) :: "t0");
  check("writes to x0 are discarded", v, 0);
  __asm__ volatile("li %0, 3\n\tadd %0, %0, %0\n\tsub %0, %0, %0" : "=r"(v));
  check("rd = rs1 = rs2", v, 0);

  __asm__ volatile("li %0, 11\n\tfence\n\tfence rw, rw\n\tfence.tso\n\tfence i, o\n\t.word 0x0100000f /* pause */\n\tnop\n\taddi %0, %0, 1"
                   : "=r"(v) :: "memory");
  check("fence, fence.tso, pause and nop are no-ops", v, 12);
  return report("alu");
}

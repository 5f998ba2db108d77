// x86_64 instruction core: decoder, executor, disassembler, assembler, pt_regs. Filled by the x86_64 issue.
import Machine

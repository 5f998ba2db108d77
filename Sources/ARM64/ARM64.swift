// arm64 instruction core: decoder, executor, disassembler, assembler, pt_regs. Filled by the arm64 issue.
import Machine

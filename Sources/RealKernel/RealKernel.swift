// Captures from real kernels (QEMU guests or the host) and the differential comparison. Filled by the validation issue.
import Tracefs

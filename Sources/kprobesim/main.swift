// The `kprobesim` executable: a thin shell over KprobeSimCLI, so every command is testable as a library call.
import Foundation
import KprobeSimCLI

var output = StandardStream.output
var errors = StandardStream.error
exit(KprobeSimCommand.main(arguments: Array(CommandLine.arguments.dropFirst()), output: &output, error: &errors))

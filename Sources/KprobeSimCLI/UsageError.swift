/// A command line the parser cannot accept: printed on standard error, exit code 2.
struct UsageError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

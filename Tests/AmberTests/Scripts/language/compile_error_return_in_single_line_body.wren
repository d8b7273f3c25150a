// A body with no newline after "{" must be a single expression, so a
// return statement is not allowed there.
var f = Fn.new { return 1 } // expect error

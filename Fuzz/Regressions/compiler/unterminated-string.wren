// error: Unterminated string
var x = "abc

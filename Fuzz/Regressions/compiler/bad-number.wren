// error: Unterminated scientific notation
var x = 1e
var y = 0x

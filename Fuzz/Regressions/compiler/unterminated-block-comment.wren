// error: Unterminated block comment
/* /* */
var x = 1

// error: Invalid byte
var x = 1
ÿþ€ var y = 2

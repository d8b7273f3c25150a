// error: Invalid character
var x = 1 $ 2 @ 3 ` 4

var value = 1
var value = 2 // expect error

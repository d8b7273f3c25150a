var r = 1.."5" // expect runtime error: Right hand side of range must be a number.

__counter = 1 // expect error

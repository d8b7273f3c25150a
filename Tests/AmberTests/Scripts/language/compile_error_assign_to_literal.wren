"text" = "other" // expect error

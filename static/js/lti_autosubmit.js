// Send the deep-linking answer back to the LMS as soon as the page loads (the button is there
// for a browser without scripts).

document.getElementById("lti-autosubmit").submit();

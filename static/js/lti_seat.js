// After an LTI launch: keep the seat the server made for this LMS learner, then open the room.

import { rememberSeat } from "./seat.js";

const main = document.getElementById("main");
rememberSeat(main.dataset.sessionId, main.dataset.token, main.dataset.learnerId);
window.location.replace(main.dataset.roomUrl);

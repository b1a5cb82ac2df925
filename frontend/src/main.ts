import "./style.css";
import { Version } from "../wailsjs/go/app/SystemService";
import { EventsEmit } from "../wailsjs/runtime/runtime";
import { render } from "./ui";

const root = document.querySelector<HTMLElement>("#app");
if (root) {
  void render(root, { version: Version, emit: EventsEmit });
}

// Test setup for every unit test file.
//
// findBy*/waitFor wait for something the UI does in response to an event
// (a lazily imported view, a re-render after a backend event). Their
// default bound, 1 s, is a deadline on a busy 2-core CI machine, where the
// first import() of a view chunk alone can take longer: the bound only
// limits how long a test waits for the event, so it is generous, and a
// test that passes quickly still passes as quickly.
import { configure } from "@testing-library/svelte";

configure({ asyncUtilTimeout: 15_000 });

// The three custom-challenge triggers of one pool, as the AWS developer guide's example has
// them: the password first (SRP_A, then PASSWORD_VERIFIER), then one question, then tokens.
// cognate runs this as a local command: the event on stdin, the answer on stdout.
import { readFileSync } from 'node:fs';

const event = JSON.parse(readFileSync(0, 'utf8'));
const { request, response } = event;
const rounds = (request.session ?? []).map((r) => `${r.challengeName}:${r.challengeResult}`);

switch (event.triggerSource) {
  case 'DefineAuthChallenge_Authentication': {
    const s = request.session;
    const passed = (i, name) => s.length === i + 1 && s[i].challengeName === name && s[i].challengeResult === true;
    Object.assign(response, { issueTokens: false, failAuthentication: false });
    if (passed(0, 'SRP_A')) response.challengeName = 'PASSWORD_VERIFIER';
    else if (passed(1, 'PASSWORD_VERIFIER')) response.challengeName = 'CUSTOM_CHALLENGE';
    else if (passed(2, 'CUSTOM_CHALLENGE')) response.issueTokens = true;
    else response.failAuthentication = true;
    break;
  }
  case 'CreateAuthChallenge_Authentication':
    response.publicChallengeParameters = { question: 'What is 6 x 7?', rounds: rounds.join(',') };
    response.privateChallengeParameters = { answer: '42' };
    response.challengeMetadata = 'QUIZ';
    break;
  case 'VerifyAuthChallengeResponse_Authentication':
    response.answerCorrect = request.challengeAnswer === request.privateChallengeParameters.answer;
    break;
  default:
    throw new Error(`unexpected trigger ${event.triggerSource}`);
}
process.stdout.write(JSON.stringify(event));
